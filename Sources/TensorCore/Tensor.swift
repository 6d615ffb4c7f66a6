public import Foundation

#if _endian(big)
    #error("Tensor storage is little-endian, as ONNX raw data is; big-endian hosts are not supported.")
#endif

/// An n-dimensional array of one ``DataType``, stored as ONNX stores raw data: packed, little-endian,
/// row-major.
///
/// `Tensor` is a value type. Its payload is a `Data`, so a tensor built over a slice of a
/// memory-mapped file shares those pages instead of copying them, and copies of a tensor share one
/// buffer until one of them is mutated.
///
/// ```swift
/// let t = try Tensor(shape: [2, 2], scalars: [1, 2, 3, 4] as [Float])
/// let values = try t.scalars(as: Float.self)
/// ```
public struct Tensor: Sendable, Hashable {
    /// The payload: packed bytes for every type but `string`, one `Data` per element for strings.
    public enum Storage: Sendable, Hashable {
        case bytes(Data)
        case strings([Data])
    }

    /// The element type.
    public let dataType: DataType
    /// The static shape; an empty array is a scalar.
    public let shape: [Int]
    /// The payload.
    public private(set) var storage: Storage

    /// Wraps packed bytes without copying them.
    /// - Throws: ``TensorError`` when the shape is negative, too large, or disagrees with the byte count.
    public init(dataType: DataType, shape: [Int], bytes: Data) throws(TensorError) {
        guard dataType != .string else { throw .typeMismatch(expected: .string, actual: dataType) }
        let count = try Self.elementCount(of: shape)
        let expected = try dataType.byteCount(forElements: count)
        guard expected == bytes.count else { throw .sizeMismatch(expectedBytes: expected, actualBytes: bytes.count) }
        self.dataType = dataType
        self.shape = shape
        self.storage = .bytes(bytes)
    }

    /// Builds a string tensor, one `Data` (UTF-8 or arbitrary bytes, as ONNX allows) per element.
    public init(shape: [Int], strings: [Data]) throws(TensorError) {
        let count = try Self.elementCount(of: shape)
        guard count == strings.count else { throw .stringCountMismatch(expected: count, actual: strings.count) }
        self.dataType = .string
        self.shape = shape
        self.storage = .strings(strings)
    }

    /// Copies `scalars` into a new tensor of their type.
    public init<T: TensorScalar>(shape: [Int], scalars: [T]) throws(TensorError) {
        let count = try Self.elementCount(of: shape)
        guard count == scalars.count else {
            throw .sizeMismatch(
                expectedBytes: count * MemoryLayout<T>.stride, actualBytes: scalars.count * MemoryLayout<T>.stride)
        }
        let bytes = scalars.withUnsafeBytes { Data($0) }
        try self.init(dataType: T.dataType, shape: shape, bytes: bytes)
    }

    /// Number of elements: the product of the shape, 1 for a scalar.
    public var elementCount: Int {
        shape.reduce(1, *)  // validated not to overflow at construction
    }

    /// Bytes of payload (for strings, the sum of their lengths).
    public var byteCount: Int {
        switch storage {
        case .bytes(let data): data.count
        case .strings(let strings): strings.reduce(0) { $0 + $1.count }
        }
    }

    /// The packed bytes, shared, not copied; `nil` for a string tensor.
    public var rawBytes: Data? {
        if case .bytes(let data) = storage { data } else { nil }
    }

    /// The elements of a string tensor; `nil` for other types.
    public var strings: [Data]? {
        if case .strings(let strings) = storage { strings } else { nil }
    }

    /// Copies the elements out as `T`, which must match ``dataType`` exactly.
    public func scalars<T: TensorScalar>(as type: T.Type) throws(TensorError) -> [T] {
        guard T.dataType == dataType, case .bytes(let data) = storage else {
            throw .typeMismatch(expected: T.dataType, actual: dataType)
        }
        return data.withUnsafeBytes { raw in
            Array(unsafeUninitializedCapacity: elementCount) { buffer, initialized in
                _ = raw.copyBytes(to: buffer)
                initialized = elementCount
            }
        }
    }

    /// Calls `body` with the elements as `T`, which must match ``dataType`` exactly: the payload
    /// itself when it is aligned for `T` (no copy), else an aligned copy.
    public func withUnsafeScalars<T: TensorScalar, R>(
        as type: T.Type, _ body: (UnsafeBufferPointer<T>) throws -> R
    ) throws -> R {
        guard T.dataType == dataType, case .bytes(let data) = storage else {
            throw TensorError.typeMismatch(expected: T.dataType, actual: dataType)
        }
        return try data.withUnsafeBytes { raw in
            if let base = raw.baseAddress, Int(bitPattern: base) % MemoryLayout<T>.alignment == 0 {
                return try body(UnsafeBufferPointer(start: base.assumingMemoryBound(to: T.self), count: elementCount))
            }
            return try scalars(as: T.self).withUnsafeBufferPointer(body)
        }
    }

    /// The product of `shape`, checked for negative dimensions and overflow.
    public static func elementCount(of shape: [Int]) throws(TensorError) -> Int {
        var count = 1
        for dim in shape {
            guard dim >= 0 else { throw .negativeDimension(dim) }
            let (product, overflow) = count.multipliedReportingOverflow(by: dim)
            guard !overflow else { throw .tooLarge(elements: Int.max, type: .uint8) }
            count = product
        }
        return count
    }
}
