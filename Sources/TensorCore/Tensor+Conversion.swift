extension Tensor {
    /// Every element widened to `Double`, for comparisons and statistics.
    ///
    /// Supports the float types (float32, float64, float16, bfloat16), the integer types and bool;
    /// complex, 8-bit and sub-byte float formats, and strings throw ``TensorError/typeMismatch(expected:actual:)``.
    public func doubleValues() throws(TensorError) -> [Double] {
        switch dataType {
        case .float32: return try scalars(as: Float.self).map(Double.init)
        case .float64: return try scalars(as: Double.self)
        case .float16: return try scalars(as: UInt16.self, reinterpreting: true).map { Double(Float(Float16(bitPattern: $0))) }
        case .bfloat16: return try scalars(as: UInt16.self, reinterpreting: true).map { Double(BFloat16(bitPattern: $0).floatValue) }
        case .int8: return try scalars(as: Int8.self).map(Double.init)
        case .uint8: return try scalars(as: UInt8.self).map(Double.init)
        case .int16: return try scalars(as: Int16.self).map(Double.init)
        case .uint16: return try scalars(as: UInt16.self).map(Double.init)
        case .int32: return try scalars(as: Int32.self).map(Double.init)
        case .uint32: return try scalars(as: UInt32.self).map(Double.init)
        case .int64: return try scalars(as: Int64.self).map(Double.init)
        case .uint64: return try scalars(as: UInt64.self).map(Double.init)
        case .bool: return try scalars(as: UInt8.self, reinterpreting: true).map { $0 == 0 ? 0 : 1 }
        default: throw .typeMismatch(expected: .float64, actual: dataType)
        }
    }

    /// The payload read as `T` even when `T`'s type differs from ``dataType`` but has the same
    /// width (float16 bits as `UInt16`, bool bytes as `UInt8`).
    func scalars<T: TensorScalar>(as type: T.Type, reinterpreting: Bool) throws(TensorError) -> [T] {
        guard case .bytes(let data) = storage, dataType.bitWidth == MemoryLayout<T>.size * 8 else {
            throw .typeMismatch(expected: T.dataType, actual: dataType)
        }
        return data.withUnsafeBytes { raw in
            Array(unsafeUninitializedCapacity: elementCount) { buffer, initialized in
                _ = raw.copyBytes(to: buffer)
                initialized = elementCount
            }
        }
    }
}
