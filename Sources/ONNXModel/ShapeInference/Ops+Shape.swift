import TensorCore

/// Operators that rearrange dims without computing: Reshape, Flatten, Transpose, Squeeze,
/// Unsqueeze, Expand, Tile, Shape, Size, Identity.
enum ShapeOps {
    /// `Identity`: the same type, and the same value when it is known.
    static func identity(_ context: inout InferenceContext) throws -> [ValueType?] {
        if let constant = context.constant(0) { context.outputConstants[0] = constant }
        return [context.type(0)]
    }

    /// `Reshape(data, shape)` (the `shape` attribute before opset 5): 0 copies the input dim unless
    /// `allowzero` (opset 14+) is set, one -1 takes the remaining element count.
    static func reshape(_ context: inout InferenceContext) throws -> [ValueType?] {
        let element = context.element(0)
        let requested: [Dim]
        if context.opset < 5 {
            guard let values = try context.ints("shape") else { throw context.invalid("attribute 'shape' is missing") }
            requested = values.map(Dim.value)
        } else if let values = context.dimValues(1) {
            requested = values
        } else if let length = context.staticLength(1) {
            return [.tensor(element, Array(repeating: .unknown, count: length))]
        } else {
            context.note("the target shape is not known before run time")
            return [.tensor(element, nil)]
        }
        let allowZero = try context.opset >= 14 && context.int("allowzero", default: 0) != 0
        let input = context.dims(0)
        var output: [Dim] = []
        var inferred: Int?
        for (position, dim) in requested.enumerated() {
            switch dim.value {
            case .some(-1):
                guard inferred == nil else { throw context.invalid("shape has more than one -1") }
                inferred = position
                output.append(.unknown)
            case .some(0) where !allowZero:
                guard let input else {
                    output.append(.unknown)
                    continue
                }
                guard position < input.count else {
                    throw context.invalid("shape copies dimension \(position) of a rank-\(input.count) input")
                }
                output.append(input[position])
            case .some(let value) where value < -1:
                throw context.invalid("shape has invalid value \(value)")
            default:
                output.append(dim)
            }
        }
        if allowZero, inferred != nil, requested.contains(where: { $0.value == 0 }) {
            throw context.invalid("shape has both -1 and 0 with allowzero set")
        }
        guard let input else { return [.tensor(element, output)] }
        let total = try Dim.product(input)
        if let inferred {
            let others = try Dim.product(output.enumerated().filter { $0.offset != inferred }.map(\.element))
            if let t = total.value, let o = others.value {
                guard o != 0 else {
                    if t != 0 { throw context.invalid("cannot reshape \(t) elements into \(describe(requested))") }
                    return [.tensor(element, output)]
                }
                guard t % o == 0 else {
                    throw context.invalid("cannot reshape \(t) elements into \(describe(requested))")
                }
                output[inferred] = .value(t / o)
            } else if !others.isUnknown, others.value != 0 {
                output[inferred] = total.exactlyDivided(by: others)
            }
        } else if let t = total.value, let o = try Dim.product(output).value, t != o {
            throw context.invalid("cannot reshape \(t) elements into \(describe(requested)) (\(o) elements)")
        }
        return [.tensor(element, output)]
    }

    private static func describe(_ dims: [Dim]) -> String { "[\(dims.map(\.description).joined(separator: ","))]" }

    /// `Flatten`: `[d0…dk-1, dk…] → [d0·…·dk-1, dk·…]` at `axis` (negative since opset 11).
    static func flatten(_ context: inout InferenceContext) throws -> [ValueType?] {
        let element = context.element(0)
        guard let x = context.dims(0) else { return [.tensor(element, [.unknown, .unknown])] }
        let raw = try context.int("axis", default: 1)
        let lower = context.opset >= 11 ? -x.count : 0
        guard raw >= lower && raw <= x.count else {
            throw context.invalid("axis \(raw) is outside [\(lower), \(x.count)] for rank \(x.count)")
        }
        let axis = raw < 0 ? raw + x.count : raw
        return [.tensor(element, [try Dim.product(x.prefix(axis)), try Dim.product(x.dropFirst(axis))])]
    }

    /// `Transpose`: dims permuted by `perm` (reversed by default).
    static func transpose(_ context: inout InferenceContext) throws -> [ValueType?] {
        let element = context.element(0)
        let perm = try context.ints("perm")
        guard let x = context.dims(0) else {
            return [.tensor(element, perm.map { Array(repeating: Dim.unknown, count: $0.count) })]
        }
        guard let perm else { return [.tensor(element, x.reversed())] }
        guard perm.count == x.count, Set(perm) == Set(0..<x.count) else {
            throw context.invalid("attribute 'perm' \(perm) is not a permutation of rank \(x.count)")
        }
        return [.tensor(element, perm.map { x[$0] })]
    }

    /// `Squeeze`: removes the listed axes (which must be 1), or every static 1 when none are listed.
    static func squeeze(_ context: inout InferenceContext) throws -> [ValueType?] {
        let element = context.element(0)
        let listed: [Int]?
        switch try context.axesOperand(inputSince: 13, input: 1) {
        case .absent: listed = nil
        case .known(let axes): listed = axes
        case .unknown:
            context.note("the axes are not known before run time")
            return [.tensor(element, nil)]
        }
        guard let x = context.dims(0) else { return [.tensor(element, nil)] }
        guard let listed else {
            guard x.allSatisfy(\.isStatic) else {
                context.note("cannot tell which symbolic dims are 1")
                return [.tensor(element, nil)]
            }
            return [.tensor(element, x.filter { $0.value != 1 })]
        }
        let axes = Set(try context.axes(listed, rank: x.count))
        for axis in axes {
            if let size = x[axis].value, size != 1 {
                throw context.invalid("cannot squeeze axis \(axis) of size \(size)")
            }
        }
        return [.tensor(element, x.enumerated().filter { !axes.contains($0.offset) }.map(\.element))]
    }

    /// `Unsqueeze`: inserts 1s at `axes`, which index the output.
    static func unsqueeze(_ context: inout InferenceContext) throws -> [ValueType?] {
        let element = context.element(0)
        guard case .known(let listed) = try context.axesOperand(inputSince: 13, input: 1) else {
            context.note("the axes are not known before run time")
            return [.tensor(element, nil)]
        }
        guard let x = context.dims(0) else { return [.tensor(element, nil)] }
        let rank = x.count + listed.count
        let axes = Set(try context.axes(listed, rank: rank))
        var remaining = x.makeIterator()
        let dims = (0..<rank).map { axes.contains($0) ? Dim.value(1) : (remaining.next() ?? .unknown) }
        return [.tensor(element, dims)]
    }

    /// `Expand(input, shape)`: the broadcast of the input's shape and the requested one.
    static func expand(_ context: inout InferenceContext) throws -> [ValueType?] {
        let element = context.element(0)
        let requested: [Dim]
        if let values = context.dimValues(1) {
            if let bad = values.first(where: { ($0.value ?? 0) < 0 }) {
                throw context.invalid("shape has negative value \(bad)")
            }
            requested = values
        } else if let length = context.staticLength(1) {
            requested = Array(repeating: .unknown, count: length)
        } else {
            context.note("the target shape is not known before run time")
            return [.tensor(element, nil)]
        }
        guard let x = context.dims(0) else { return [.tensor(element, nil)] }
        return [.tensor(element, try Broadcasting.shape([x, requested], in: context))]
    }

    /// `Tile(input, repeats)`; before opset 6 `Tile(input, tiles, axis)` repeats one axis.
    static func tile(_ context: inout InferenceContext) throws -> [ValueType?] {
        let element = context.element(0)
        guard let x = context.dims(0) else { return [.tensor(element, nil)] }
        if context.opset < 6 {
            guard let tiles = context.scalarInt(1), let axisValue = context.scalarInt(2) else {
                return [.tensor(element, Array(repeating: .unknown, count: x.count))]
            }
            let axis = try context.axis(axisValue, rank: x.count)
            var dims = x
            dims[axis] = try x[axis].multiplied(by: tiles)
            return [.tensor(element, dims)]
        }
        guard let repeats = context.dimValues(1) else {
            return [.tensor(element, Array(repeating: .unknown, count: x.count))]
        }
        guard repeats.count == x.count else {
            throw context.invalid("repeats has \(repeats.count) values for rank \(x.count)")
        }
        if let bad = repeats.first(where: { ($0.value ?? 0) < 0 }) { throw context.invalid("repeats has negative value \(bad)") }
        return [.tensor(element, try zip(x, repeats).map { try $0.multiplied(by: $1) })]
    }

    /// `Shape`: a 1-D int64 tensor, `[end - start]` long since opset 15.
    static func shape(_ context: inout InferenceContext) throws -> [ValueType?] {
        guard let rank = context.rank(0) else { return [.tensor(.int64, [.unknown])] }
        let (start, end) = try shapeRange(context, rank: rank)
        return [.tensor(.int64, [.value(max(end - start, 0))])]
    }

    /// The `[start, end)` range `Shape` reads, clamped to the rank.
    static func shapeRange(_ context: InferenceContext, rank: Int) throws -> (Int, Int) {
        guard context.opset >= 15 else { return (0, rank) }
        func clamp(_ value: Int) -> Int { min(max(value < 0 ? value + rank : value, 0), rank) }
        return (clamp(try context.int("start", default: 0)), clamp(try context.int("end", default: rank)))
    }

    /// `Size`: an int64 scalar.
    static func size(_ context: inout InferenceContext) throws -> [ValueType?] {
        [.tensor(.int64, [])]
    }
}
