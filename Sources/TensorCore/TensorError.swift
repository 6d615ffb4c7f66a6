/// Why a tensor could not be built or read.
public enum TensorError: Error, Hashable, Sendable {
    /// A type code that is not an ONNX data type this build knows (0 is `UNDEFINED`).
    case unknownDataType(Int32)
    /// A dimension that is negative.
    case negativeDimension(Int)
    /// The element count or byte size does not fit in memory addressing.
    case tooLarge(elements: Int, type: DataType)
    /// The payload length disagrees with the shape and type.
    case sizeMismatch(expectedBytes: Int, actualBytes: Int)
    /// A typed read asked for a type that differs from the tensor's.
    case typeMismatch(expected: DataType, actual: DataType)
    /// A string tensor has a number of strings that differs from its element count.
    case stringCountMismatch(expected: Int, actual: Int)
    /// An operation that does not apply to tensors of this element type.
    case unsupportedType(DataType, operation: String)
    /// A map whose keys and values are not two 1-D tensors of one length with int64 or string keys.
    case invalidMap(String)
}

extension TensorError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .unknownDataType(let code): "unknown tensor data type code \(code)"
        case .negativeDimension(let dim): "negative dimension \(dim)"
        case .tooLarge(let elements, let type): "\(elements) elements of \(type) exceed the addressable size"
        case .sizeMismatch(let expected, let actual): "payload has \(actual) bytes, shape and type need \(expected)"
        case .typeMismatch(let expected, let actual): "tensor holds \(actual), \(expected) was asked for"
        case .stringCountMismatch(let expected, let actual): "tensor holds \(actual) strings, shape needs \(expected)"
        case .unsupportedType(let type, let operation): "\(operation) does not support \(type) tensors"
        case .invalidMap(let reason): "invalid map: \(reason)"
        }
    }
}
