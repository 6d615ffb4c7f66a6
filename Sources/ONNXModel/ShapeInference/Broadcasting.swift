import TensorCore

extension Dim {
    /// True when the dimension is a known constant.
    var isStatic: Bool { value != nil }

    /// The product of `dims`; unknown if any is.
    static func product(_ dims: some Sequence<Dim>) throws(OverflowError) -> Dim {
        var result = Dim.value(1)
        for dim in dims { result = try result.multiplied(by: dim) }
        return result
    }

    /// The sum of `dims`; unknown if any is.
    static func sum(_ dims: some Sequence<Dim>) throws(OverflowError) -> Dim {
        var result = Dim.value(0)
        for dim in dims { result = try result.adding(dim) }
        return result
    }

    /// Combines two dims that must be equal at run time: the more informative one, or nil when both
    /// are constants that differ.
    func unified(with other: Dim) -> Dim? {
        if self == other { return self }
        if let a = value, let b = other.value { return a == b ? self : nil }
        if isStatic { return self }
        if other.isStatic { return other }
        return isUnknown ? other : self
    }
}

extension Array where Element == Dim {
    /// The sizes when every dim is a constant.
    var staticValues: [Int]? {
        var result: [Int] = []
        result.reserveCapacity(count)
        for dim in self {
            guard let value = dim.value else { return nil }
            result.append(value)
        }
        return result
    }
}

/// Numpy-style broadcasting over symbolic shapes.
enum Broadcasting {
    /// The multidirectional broadcast of `shapes`, aligned at the trailing dimension.
    /// - Throws: `.invalidNode` when two constant dims differ and neither is 1.
    static func shape(_ shapes: [[Dim]], in context: InferenceContext) throws -> [Dim] {
        let rank = shapes.map(\.count).max() ?? 0
        var result: [Dim] = []
        result.reserveCapacity(rank)
        for position in 0..<rank {
            let column = shapes.compactMap { shape -> Dim? in
                let offset = position - (rank - shape.count)
                return offset >= 0 ? shape[offset] : nil
            }
            guard let dim = dim(column) else {
                let shown = shapes.map { "[\($0.map(\.description).joined(separator: ","))]" }
                throw context.invalid("cannot broadcast shapes \(shown.joined(separator: " and "))")
            }
            result.append(dim)
        }
        return result
    }

    /// The broadcast of one column of dims; nil when two constants other than 1 differ.
    ///
    /// A constant other than 1 wins over symbols (which must then equal it or be 1); equal symbols
    /// stay; different symbols, or a symbol and an unknown, give unknown because either could be 1.
    static func dim(_ dims: [Dim]) -> Dim? {
        var constant: Int?
        var symbolic: [Dim] = []
        for dim in dims {
            if let value = dim.value {
                if value == 1 { continue }
                if let known = constant, known != value { return nil }
                constant = value
            } else {
                symbolic.append(dim)
            }
        }
        if let constant { return .value(constant) }
        guard let first = symbolic.first else { return .value(1) }
        return symbolic.allSatisfy { $0 == first } ? first : .unknown
    }

    /// The broadcast of the present inputs at `indices`, or nil when any shape is unknown.
    static func inputs(_ indices: [Int], in context: InferenceContext) throws -> [Dim]? {
        var shapes: [[Dim]] = []
        for index in indices where context.has(index) {
            guard let dims = context.dims(index) else { return nil }
            shapes.append(dims)
        }
        return try shape(shapes, in: context)
    }

    /// Checks that `source` broadcasts to `target` one way (numpy rules, only `source` stretched).
    /// - Throws: `.invalidNode` naming `what` when it does not.
    static func checkUnidirectional(_ source: [Dim], to target: [Dim], what: String, in context: InferenceContext)
        throws
    {
        guard source.count <= target.count else {
            throw context.invalid("\(what) has rank \(source.count), more than the \(target.count) it broadcasts to")
        }
        for (offset, dim) in source.enumerated() {
            let other = target[target.count - source.count + offset]
            if let a = dim.value, let b = other.value, a != 1, a != b {
                throw context.invalid("\(what) dimension \(a) does not broadcast to \(b)")
            }
        }
    }

    /// Legacy (opset < 7) broadcasting: `source` matches a contiguous run of `target`'s dims
    /// starting at `axis` (or trailing when absent). The result always has `target`'s shape.
    static func checkLegacy(_ source: [Dim], to target: [Dim], axis: Int?, in context: InferenceContext) throws {
        guard source.count <= target.count else {
            throw context.invalid("second input has rank \(source.count), more than the first's \(target.count)")
        }
        let start = try axis.map { try context.axis($0, rank: target.count) } ?? (target.count - source.count)
        guard start + source.count <= target.count else {
            throw context.invalid("second input of rank \(source.count) does not fit at axis \(start)")
        }
        for (offset, dim) in source.enumerated() {
            if let a = dim.value, let b = target[start + offset].value, a != 1, a != b {
                throw context.invalid("cannot broadcast dimension \(a) to \(b)")
            }
        }
    }
}
