import TensorCore

/// Symbolic data propagation: computes the *values* of small integer tensors (0-D or 1-D) as
/// ``Dim``s, so that shape computations exported into graphs (`Shape → Gather → Unsqueeze →
/// Concat → Reshape`) resolve to exact, possibly symbolic, shapes.
///
/// Each function returns nil when the value is not computable; the engine only keeps results for
/// integer outputs and only up to ``SymbolicValue/maximumCount`` elements.
enum DataPropagation {
    static func identity(_ context: InferenceContext) throws -> SymbolicValue? { context.symbolic(0) }

    /// `Shape`: the input's dims, within `start`/`end` (opset 15+).
    static func shape(_ context: InferenceContext) throws -> SymbolicValue? {
        guard let dims = context.dims(0) else { return nil }
        let (start, end) = try ShapeOps.shapeRange(context, rank: dims.count)
        return SymbolicValue(elements: start < end ? Array(dims[start..<end]) : [])
    }

    /// `Size`: the product of the input's dims.
    static func size(_ context: InferenceContext) throws -> SymbolicValue? {
        guard let dims = context.dims(0) else { return nil }
        return SymbolicValue(elements: [try Dim.product(dims)], isScalar: true)
    }

    /// `Gather` on a vector with constant indices.
    static func gather(_ context: InferenceContext) throws -> SymbolicValue? {
        guard let data = context.symbolic(0), !data.isScalar, let indices = context.intValues(1),
            let rank = context.rank(1), rank <= 1, [0, -1].contains(try context.int("axis", default: 0))
        else { return nil }
        var elements: [Dim] = []
        for index in indices {
            let position = index < 0 ? index + data.elements.count : index
            guard position >= 0 && position < data.elements.count else { return nil }
            elements.append(data.elements[position])
        }
        return SymbolicValue(elements: elements, isScalar: rank == 0)
    }

    /// `Slice` of a vector with constant bounds.
    static func slice(_ context: InferenceContext) throws -> SymbolicValue? {
        guard let data = context.symbolic(0), !data.isScalar else { return nil }
        let starts: [Int]?, ends: [Int]?, axes: [Int]?, steps: [Int]?
        if context.opset < 10 {
            (starts, ends, axes, steps) = (try context.ints("starts"), try context.ints("ends"), try context.ints("axes"), nil)
        } else {
            starts = context.intValues(1)
            ends = context.intValues(2)
            axes = context.has(3) ? context.intValues(3) : [0]
            steps = context.has(4) ? context.intValues(4) : [1]
        }
        guard let starts, let ends, starts.count == 1, ends.count == 1, (axes ?? [0]).allSatisfy({ $0 == 0 || $0 == -1 })
        else { return nil }
        let step = steps?.first ?? 1
        let count = data.elements.count
        guard step != 0, step != Int.min else { return nil }
        var indices: [Int] = []
        if step > 0 {
            var i = min(max(starts[0] < 0 ? starts[0] + count : starts[0], 0), count)
            let end = min(max(ends[0] < 0 ? ends[0] + count : ends[0], 0), count)
            while i < end {
                indices.append(i)
                let (next, overflow) = i.addingReportingOverflow(step)
                if overflow || indices.count > count { break }
                i = next
            }
        } else {
            var i = min(max(starts[0] < 0 ? starts[0] + count : starts[0], -1), count - 1)
            let end = min(max(ends[0] < 0 ? ends[0] + count : ends[0], -1), count - 1)
            while i > end {
                indices.append(i)
                let (next, overflow) = i.addingReportingOverflow(step)
                if overflow || indices.count > count { break }
                i = next
            }
        }
        return SymbolicValue(elements: indices.map { data.elements[$0] })
    }

    /// `Concat` of vectors.
    static func concat(_ context: InferenceContext) throws -> SymbolicValue? {
        var elements: [Dim] = []
        for index in 0..<context.inputCount where context.has(index) {
            guard let value = context.symbolic(index), !value.isScalar else { return nil }
            elements += value.elements
        }
        return elements.count <= SymbolicValue.maximumCount ? SymbolicValue(elements: elements) : nil
    }

    /// `Unsqueeze` of a scalar into a one-element vector.
    static func unsqueeze(_ context: InferenceContext) throws -> SymbolicValue? {
        guard let value = context.symbolic(0), value.isScalar,
            case .known(let axes) = try context.axesOperand(inputSince: 13, input: 1), axes == [0] || axes == [-1]
        else { return nil }
        return SymbolicValue(elements: value.elements)
    }

    /// `Squeeze` of a one-element vector into a scalar.
    static func squeeze(_ context: InferenceContext) throws -> SymbolicValue? {
        guard let value = context.symbolic(0), !value.isScalar, value.elements.count == 1 else { return nil }
        switch try context.axesOperand(inputSince: 13, input: 1) {
        case .absent: break
        case .known(let axes) where axes == [0] || axes == [-1]: break
        default: return nil
        }
        return SymbolicValue(elements: value.elements, isScalar: true)
    }

    /// `Reshape` between a one-element vector and a scalar, or of a vector to itself.
    static func reshape(_ context: InferenceContext) throws -> SymbolicValue? {
        guard let value = context.symbolic(0), let target = context.dimValues(1) else { return nil }
        if target.isEmpty { return value.elements.count == 1 ? SymbolicValue(elements: value.elements, isScalar: true) : nil }
        guard target.count == 1, target[0].value == -1 || target[0].value == value.elements.count else { return nil }
        return SymbolicValue(elements: value.elements)
    }

    /// `Cast` between integer types keeps the values (the engine drops results that are not integers).
    static func cast(_ context: InferenceContext) throws -> SymbolicValue? { context.symbolic(0) }

    /// `Add`, `Sub`, `Mul`, `Div` element by element, with scalar/vector broadcasting.
    static func arithmetic(_ context: InferenceContext) throws -> SymbolicValue? {
        guard let a = context.symbolic(0), let b = context.symbolic(1) else { return nil }
        let count = max(a.elements.count, b.elements.count)
        guard a.elements.count == count || a.elements.count == 1, b.elements.count == count || b.elements.count == 1
        else { return nil }
        var elements: [Dim] = []
        for i in 0..<count {
            let x = a.elements[a.elements.count == 1 ? 0 : i]
            let y = b.elements[b.elements.count == 1 ? 0 : i]
            switch context.node.opType {
            case "Add": elements.append(try x.adding(y))
            case "Sub": elements.append(try x.subtracting(y))
            case "Mul": elements.append(try x.multiplied(by: y))
            case "Div": elements.append(divide(x, y))
            default: return nil
            }
        }
        return SymbolicValue(elements: elements, isScalar: a.isScalar && b.isScalar)
    }

    /// `Neg` element by element.
    static func negate(_ context: InferenceContext) throws -> SymbolicValue? {
        guard let value = context.symbolic(0) else { return nil }
        return SymbolicValue(elements: try value.elements.map { try $0.multiplied(by: -1) }, isScalar: value.isScalar)
    }

    /// Integer division truncating toward zero, as ONNX's `Div` on integers does; symbolic
    /// dividends are sizes, non-negative, where truncation and floor agree.
    private static func divide(_ x: Dim, _ y: Dim) -> Dim {
        guard let divisor = y.value, divisor != 0 else { return .unknown }
        if let dividend = x.value {
            let (quotient, overflow) = dividend.dividedReportingOverflow(by: divisor)
            return overflow ? .unknown : .value(quotient)
        }
        return divisor > 0 ? x.floorDivided(by: divisor) : .unknown
    }

    /// `ConstantOfShape` with an integer value and a small static shape.
    static func constantOfShape(_ context: InferenceContext) throws -> SymbolicValue? {
        guard let shape = context.intValues(0), shape.count <= 1, let value = try context.tensorAttribute("value"),
            let fill = context.integers(of: value)?.first
        else { return nil }
        let count = shape.first ?? 1
        guard count >= 0, count <= SymbolicValue.maximumCount else { return nil }
        return SymbolicValue(elements: Array(repeating: .value(fill), count: count), isScalar: shape.isEmpty)
    }

    /// `Range` over known integers.
    static func range(_ context: InferenceContext) throws -> SymbolicValue? {
        guard let start = context.scalarInt(0), let length = try GeneratorOps.rangeLength(context).value,
            length <= SymbolicValue.maximumCount, let delta = context.scalarInt(2)
        else { return nil }
        var elements: [Dim] = []
        var current = Dim.value(start)
        for _ in 0..<length {
            elements.append(current)
            current = try current.adding(.value(delta))
        }
        return SymbolicValue(elements: elements)
    }
}
