import TensorCore

/// Operators that cut, join or pad along axes: Concat, Split, Slice, Pad, CenterCropPad.
enum SlicingOps {
    /// `Concat`: the inputs' dims, equal except along `axis`, where they add up.
    static func concat(_ context: inout InferenceContext) throws -> [ValueType?] {
        let element = (0..<context.inputCount).compactMap { context.element($0) }.first
        let shapes = (0..<context.inputCount).filter { context.has($0) }.map { context.dims($0) }
        guard let rank = shapes.lazy.compactMap({ $0?.count }).first else { return [.tensor(element, nil)] }
        guard rank > 0 else { throw context.invalid("cannot concatenate scalars") }
        // Opset 1 defaults the axis to 1; later opsets require it.
        guard let axisValue = try context.int("axis") ?? (context.opset < 4 ? 1 : nil) else {
            throw context.invalid("attribute 'axis' is missing")
        }
        let axis = try context.axis(axisValue, rank: rank)
        var dims = Array(repeating: Dim.unknown, count: rank)
        var total: Dim = .value(0)
        for shape in shapes {
            guard let shape else {
                total = .unknown
                continue
            }
            guard shape.count == rank else { throw context.invalid("inputs have ranks \(rank) and \(shape.count)") }
            for position in 0..<rank where position != axis {
                guard let merged = dims[position].unified(with: shape[position]) else {
                    throw context.invalid("inputs disagree on dimension \(position): \(dims[position]) and \(shape[position])")
                }
                dims[position] = merged
            }
            total = try total.adding(shape[axis])
        }
        dims[axis] = total
        return [.tensor(element, dims)]
    }

    /// `Split`: sizes from the `split` attribute (before opset 13) or input, else equal parts
    /// (the last one smaller when `num_outputs`, opset 18+, does not divide the axis).
    static func split(_ context: inout InferenceContext) throws -> [ValueType?] {
        let element = context.element(0)
        let count = context.node.outputs.count
        guard let x = context.dims(0) else { return Array(repeating: .tensor(element, nil), count: count) }
        guard x.count > 0 else { throw context.invalid("cannot split a scalar") }
        let axis = try context.axis(try context.int("axis", default: 0), rank: x.count)
        func shaped(_ size: Dim) -> ValueType {
            var dims = x
            dims[axis] = size
            return .tensor(element, dims)
        }
        var sizes: [Int]?
        if context.opset < 13 {
            sizes = try context.ints("split") ?? (context.has(1) ? context.intValues(1) : nil)
        } else if context.has(1) {
            guard let values = context.intValues(1) else { return Array(repeating: shaped(.unknown), count: count) }
            sizes = values
        }
        if let sizes {
            guard sizes.count == count else { throw context.invalid("split has \(sizes.count) sizes for \(count) outputs") }
            if let bad = sizes.first(where: { $0 < 0 }) { throw context.invalid("split has negative size \(bad)") }
            let sum = try Dim.sum(sizes.map(Dim.value))
            if let total = x[axis].value, sum.value != total {
                throw context.invalid("split sizes add up to \(sum), the axis has \(total)")
            }
            return sizes.map { shaped(.value($0)) }
        }
        let parts = context.opset >= 18 ? try context.int("num_outputs") ?? count : count
        guard parts >= 1, parts == count else { throw context.invalid("num_outputs is \(parts) for \(count) outputs") }
        if context.opset >= 18, context.attribute("num_outputs") != nil {
            let chunk = try x[axis].ceilDivided(by: parts)
            let last = try x[axis].subtracting(chunk.multiplied(by: parts - 1))
            if let size = last.value, size < 0 {
                throw context.invalid("axis of \(x[axis]) cannot be split into \(parts) parts")
            }
            return Array(repeating: shaped(chunk), count: parts - 1) + [shaped(last)]
        }
        if let total = x[axis].value, total % parts != 0 {
            throw context.invalid("axis of \(total) does not split evenly into \(parts) outputs")
        }
        return Array(repeating: shaped(x[axis].floorDivided(by: parts)), count: parts)
    }

    /// `Slice`: `starts`, `ends`, `axes` attributes before opset 10; inputs (with `steps`) after.
    static func slice(_ context: inout InferenceContext) throws -> [ValueType?] {
        let element = context.element(0)
        guard let x = context.dims(0) else { return [.tensor(element, nil)] }
        let starts: [Dim]?, ends: [Dim]?, axesList: [Int]?, steps: [Int]?
        if context.opset < 10 {
            starts = try context.ints("starts")?.map(Dim.value)
            ends = try context.ints("ends")?.map(Dim.value)
            axesList = try context.ints("axes")
            steps = nil
        } else {
            starts = context.dimValues(1)
            ends = context.dimValues(2)
            axesList = context.has(3) ? context.intValues(3) : nil
            steps = context.has(4) ? context.intValues(4) : nil
            if (context.has(3) && axesList == nil) || (context.has(4) && steps == nil) {
                return [.tensor(element, Array(repeating: .unknown, count: x.count))]
            }
        }
        guard let starts, let ends else {
            var dims = x
            for axis in try context.axes(axesList ?? [], rank: x.count) { dims[axis] = .unknown }
            return [.tensor(element, axesList == nil ? Array(repeating: .unknown, count: x.count) : dims)]
        }
        guard starts.count == ends.count else {
            throw context.invalid("starts has \(starts.count) values, ends has \(ends.count)")
        }
        let axes = try context.axes(axesList ?? Array(0..<starts.count), rank: x.count)
        guard axes.count == starts.count else { throw context.invalid("axes has \(axes.count) values for \(starts.count) starts") }
        let stepValues = steps ?? Array(repeating: 1, count: starts.count)
        guard stepValues.count == starts.count else {
            throw context.invalid("steps has \(stepValues.count) values for \(starts.count) starts")
        }
        var dims = x
        for (index, axis) in axes.enumerated() {
            guard stepValues[index] != 0 else { throw context.invalid("steps has a 0") }
            dims[axis] = try slicedLength(x[axis], start: starts[index], end: ends[index], step: stepValues[index])
        }
        return [.tensor(element, dims)]
    }

    /// The length numpy's `x[start:end:step]` has along a dim of `size`.
    static func slicedLength(_ size: Dim, start: Dim, end: Dim, step: Int) throws -> Dim {
        if let d = size.value, let s = start.value, let e = end.value {
            if step > 0 {
                let first = min(max(s < 0 ? s + d : s, 0), d)
                let last = min(max(e < 0 ? e + d : e, 0), d)
                return .value(last > first ? (last - first - 1) / step + 1 : 0)
            }
            let first = min(max(s < 0 ? s + d : s, -1), d - 1)
            let last = min(max(e < 0 ? e + d : e, -1), d - 1)
            let stride = step == Int.min ? Int.max : -step
            return .value(first > last ? (first - last - 1) / stride + 1 : 0)
        }
        // Symbolic sizes: only unit steps from a known start, assuming the dim is large enough for
        // the slice not to be clamped (what exporters' `x[:, 1:]`, `x[..., :-1]`, `x[:H]` mean).
        guard step == 1, let s = start.value, !size.isUnknown else { return .unknown }
        let toEnd = end == size || (end.value ?? 0) >= Int(Int32.max)
        if s >= 0 {
            if toEnd { return try size.subtracting(.value(s)) }
            if let e = end.value { return e < 0 ? try size.adding(.value(e)).subtracting(.value(s)) : .unknown }
            return end.isUnknown ? .unknown : try end.subtracting(.value(s))
        }
        return toEnd ? .value(-max(s, -Int(Int32.max))) : .unknown
    }

    /// `Pad`: each padded axis grows by its begin and end pads (negative pads crop).
    static func pad(_ context: inout InferenceContext) throws -> [ValueType?] {
        let element = context.element(0)
        guard let x = context.dims(0) else { return [.tensor(element, nil)] }
        var axes = Array(0..<x.count)
        let pads: [Dim]?
        if context.opset < 11 {
            let name = context.opset < 2 ? "paddings" : "pads"
            guard let values = try context.ints(name) else { throw context.invalid("attribute '\(name)' is missing") }
            pads = values.map(Dim.value)
        } else {
            pads = context.dimValues(1)
            if context.opset >= 18, context.has(3) {
                guard let listed = context.intValues(3) else {
                    return [.tensor(element, Array(repeating: .unknown, count: x.count))]
                }
                axes = try context.axes(listed, rank: x.count)
            }
        }
        guard let pads else {
            var dims = x
            for axis in axes { dims[axis] = .unknown }
            return [.tensor(element, dims)]
        }
        guard pads.count == 2 * axes.count else {
            throw context.invalid("pads has \(pads.count) values, expected \(2 * axes.count)")
        }
        var dims = x
        for (index, axis) in axes.enumerated() {
            dims[axis] = try x[axis].adding(pads[index]).adding(pads[index + axes.count])
            if let size = dims[axis].value, size < 0 {
                throw context.invalid("pads shrink axis \(axis) of size \(x[axis]) below zero")
            }
        }
        return [.tensor(element, dims)]
    }

    /// `CenterCropPad(input, shape, axes)`: the listed axes take the requested sizes.
    static func centerCropPad(_ context: inout InferenceContext) throws -> [ValueType?] {
        let element = context.element(0)
        guard let x = context.dims(0) else { return [.tensor(element, nil)] }
        let axes = try context.axes(try context.ints("axes") ?? Array(0..<x.count), rank: x.count)
        var dims = x
        guard let sizes = context.dimValues(1) else {
            for axis in axes { dims[axis] = .unknown }
            return [.tensor(element, dims)]
        }
        guard sizes.count == axes.count else { throw context.invalid("shape has \(sizes.count) values for \(axes.count) axes") }
        for (axis, size) in zip(axes, sizes) { dims[axis] = size }
        return [.tensor(element, dims)]
    }
}
