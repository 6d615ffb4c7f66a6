import TensorCore

/// Operators that select or place elements by index: Gather*, Scatter*, OneHot, and those whose
/// output size depends on the data (NonZero, Compress, Unique, NonMaxSuppression).
enum IndexingOps {
    /// `Gather(data, indices)`: `data[:axis] + indices + data[axis+1:]`.
    static func gather(_ context: inout InferenceContext) throws -> [ValueType?] {
        let element = context.element(0)
        guard let data = context.dims(0), let indices = context.dims(1) else { return [.tensor(element, nil)] }
        guard !data.isEmpty else { throw context.invalid("cannot gather from a scalar") }
        let axis = try context.axis(try context.int("axis", default: 0), rank: data.count)
        return [.tensor(element, Array(data.prefix(axis)) + indices + Array(data.dropFirst(axis + 1)))]
    }

    /// `GatherElements(data, indices)`: shaped like the indices, which have the data's rank.
    static func gatherElements(_ context: inout InferenceContext) throws -> [ValueType?] {
        let element = context.element(0)
        guard let indices = context.dims(1) else { return [.tensor(element, nil)] }
        if let data = context.dims(0) {
            guard data.count == indices.count, !data.isEmpty else {
                throw context.invalid("indices have rank \(indices.count), the data has rank \(data.count)")
            }
            _ = try context.axis(try context.int("axis", default: 0), rank: data.count)
        }
        return [.tensor(element, indices)]
    }

    /// `GatherND(data, indices)`: `indices[:-1] + data[batch_dims + indices[-1]:]`.
    static func gatherND(_ context: inout InferenceContext) throws -> [ValueType?] {
        let element = context.element(0)
        guard let data = context.dims(0), let indices = context.dims(1) else { return [.tensor(element, nil)] }
        let batch = try context.int("batch_dims", default: 0)
        guard let last = indices.last else { throw context.invalid("indices is a scalar") }
        guard batch >= 0, batch < indices.count, batch < data.count else {
            throw context.invalid("batch_dims \(batch) is out of range")
        }
        guard let depth = last.value else { return [.tensor(element, nil)] }
        guard depth >= 1, batch + depth <= data.count else {
            throw context.invalid("indices address \(depth) dims of a rank-\(data.count) input after \(batch) batch dims")
        }
        return [.tensor(element, Array(indices.dropLast()) + Array(data.dropFirst(batch + depth)))]
    }

    /// `ScatterND`, `ScatterElements`, `Scatter`: the data's type.
    static func scatter(_ context: inout InferenceContext) throws -> [ValueType?] {
        [context.type(0)]
    }

    /// `OneHot(indices, depth, values)`: a `depth`-long axis inserted at `axis`, the values' type.
    static func oneHot(_ context: inout InferenceContext) throws -> [ValueType?] {
        let element = context.element(2)
        guard let indices = context.dims(0) else { return [.tensor(element, nil)] }
        let axis = try context.axis(try context.int("axis", default: -1), rank: indices.count + 1)
        var depth = Dim.unknown
        if let values = context.floatValues(1), values.count == 1 {
            let value = values[0]
            guard value.isFinite, value >= 1, value <= Double(Limits.maximumDimension) else {
                throw context.invalid("depth is \(value), expected a positive size")
            }
            depth = .value(Int(value))
        } else if let values = context.dimValues(1), values.count == 1 {
            depth = values[0]
        }
        var dims = indices
        dims.insert(depth, at: axis)
        return [.tensor(element, dims)]
    }

    /// `NonZero`: `[rank, count]` int64, the count known only at run time.
    static func nonZero(_ context: inout InferenceContext) throws -> [ValueType?] {
        [.tensor(.int64, [context.rank(0).map(Dim.value) ?? .unknown, .unknown])]
    }

    /// `NonMaxSuppression`: `[selected, 3]` int64.
    static func nonMaxSuppression(_ context: inout InferenceContext) throws -> [ValueType?] {
        [.tensor(.int64, [.unknown, 3])]
    }

    /// `Compress(input, condition)`: the `axis` shrinks to an unknown size, or a flat 1-D result.
    static func compress(_ context: inout InferenceContext) throws -> [ValueType?] {
        let element = context.element(0)
        guard let axisValue = try context.int("axis") else { return [.tensor(element, [.unknown])] }
        guard var dims = context.dims(0) else { return [.tensor(element, nil)] }
        guard !dims.isEmpty else { throw context.invalid("cannot compress a scalar along an axis") }
        dims[try context.axis(axisValue, rank: dims.count)] = .unknown
        return [.tensor(element, dims)]
    }

    /// `Unique`: the unique values (flattened, or along `axis`), then int64 indices,
    /// inverse indices and counts.
    static func unique(_ context: inout InferenceContext) throws -> [ValueType?] {
        let element = context.element(0)
        let indices: ValueType = .tensor(.int64, [.unknown])
        guard let x = context.dims(0) else { return [.tensor(element, nil), indices, .tensor(.int64, [.unknown]), indices] }
        guard let axisValue = try context.int("axis") else {
            return [.tensor(element, [.unknown]), indices, .tensor(.int64, [try Dim.product(x)]), indices]
        }
        guard !x.isEmpty else { throw context.invalid("cannot take unique slices of a scalar") }
        let axis = try context.axis(axisValue, rank: x.count)
        var dims = x
        dims[axis] = .unknown
        return [.tensor(element, dims), indices, .tensor(.int64, [x[axis]]), indices]
    }
}
