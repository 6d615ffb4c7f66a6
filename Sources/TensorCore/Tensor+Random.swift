extension Tensor {
    /// A seeded random tensor, the same on every machine for the same seed: uniform in [0, 1) for
    /// floating-point types, small non-negative integers for integer types (valid as indices into
    /// most axes), fair coin flips for booleans.
    /// - Throws: ``TensorError/unsupportedType(_:operation:)`` for strings and the exotic types.
    public static func random(_ type: DataType, shape: [Int], seed: UInt64) throws(TensorError) -> Tensor {
        let count = try elementCount(of: shape)
        var generator = SeededGenerator(seed: seed)
        switch type {
        case .float32: return try Tensor(shape: shape, scalars: (0..<count).map { _ in Float.random(in: 0..<1, using: &generator) })
        case .float16:
            return try Tensor(shape: shape, scalars: (0..<count).map { _ in Float16(Float.random(in: 0..<1, using: &generator)) })
        case .float64: return try Tensor(shape: shape, scalars: (0..<count).map { _ in Double.random(in: 0..<1, using: &generator) })
        case .int64: return try Tensor(shape: shape, scalars: (0..<count).map { _ in Int64.random(in: 0..<8, using: &generator) })
        case .int32: return try Tensor(shape: shape, scalars: (0..<count).map { _ in Int32.random(in: 0..<8, using: &generator) })
        case .uint8: return try Tensor(shape: shape, scalars: (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) })
        case .bool: return try Tensor(shape: shape, scalars: (0..<count).map { _ in Bool.random(using: &generator) })
        default: throw .unsupportedType(type, operation: "random generation")
        }
    }
}
