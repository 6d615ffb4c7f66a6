/// Why a model could not be read, written or accepted.
///
/// Each case prints one line that names the cause; ``ModelFileError`` adds the file.
public enum ONNXModelError: Error, Sendable, Hashable {
    /// The file could not be opened or read.
    case unreadable(reason: String)
    /// The bytes are not an ONNX model (another format, or not a protobuf at all).
    case notAModel(reason: String)
    /// A tensor's type, shape or payload is inconsistent.
    case invalidTensor(name: String, reason: String)
    /// An external-data reference is unsafe or cannot be satisfied.
    case externalData(tensor: String, location: String, reason: String)
    /// A dimension outside what Tessera accepts: a tensor's negative dimension, or any beyond
    /// ``Limits/maximumDimension`` (a negative dimension in a value's type is read as unknown).
    case dimensionOutOfRange(value: String, dim: Int64)
    /// The graph is structurally invalid; the message names the node.
    case invalidGraph(String)
    /// A node cannot be interpreted (bad attribute, wrong arity); the message names the node.
    case invalidNode(node: String, reason: String)
    /// The model could not be serialized or written.
    case unwritable(reason: String)
}

extension ONNXModelError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .unreadable(let reason): "cannot read: \(reason)"
        case .notAModel(let reason): "not an ONNX model: \(reason)"
        case .invalidTensor(let name, let reason): "tensor '\(name)': \(reason)"
        case .externalData(let tensor, let location, let reason):
            "tensor '\(tensor)': external data '\(location)': \(reason)"
        case .dimensionOutOfRange(let value, let dim):
            "'\(value)': dimension \(dim) is out of range (0...\(Limits.maximumDimension))"
        case .invalidGraph(let message): message
        case .invalidNode(let node, let reason): "node \(node): \(reason)"
        case .unwritable(let reason): "cannot write: \(reason)"
        }
    }
}

/// An ``ONNXModelError`` with the file it concerns: `model.onnx: not an ONNX model: …`.
public struct ModelFileError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var error: ONNXModelError

    public init(path: String, error: ONNXModelError) {
        self.path = path
        self.error = error
    }

    public var description: String { "\(path): \(error)" }
}

/// Bounds applied to values read from model files.
public enum Limits {
    /// The largest single dimension accepted: 2^40. Larger values come from corrupt files, and
    /// products of them would overflow 64-bit sizes.
    public static let maximumDimension: Int64 = 1 << 40
}
