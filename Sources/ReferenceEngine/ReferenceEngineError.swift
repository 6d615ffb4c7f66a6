public import TensorCore

/// Why the reference engine refused a model or failed to run it. Every case names the node
/// (`'conv_3' (Conv)`) or the value concerned; ``ReferenceBackend`` adds the model's path.
public enum ReferenceEngineError: Error, CustomStringConvertible, Sendable {
    /// The model file could not be read or its graph is not runnable (cycles, dangling inputs).
    case unreadableModel(reason: String)
    /// No kernel is registered for the node's operator at the model's opset.
    case unsupportedOperator(node: String, operator: String)
    /// The node is malformed: a wrong number of inputs or outputs, a missing or bad attribute.
    case invalidNode(node: String, reason: String)
    /// The node failed while running: shapes that do not fit, values out of range.
    case runFailed(node: String, reason: String)
    /// A run input is missing, unknown, or of the wrong type or shape.
    case invalidInput(name: String, reason: String)
    /// A tensor of a type the engine does not compute with.
    case unsupportedType(value: String, type: DataType)

    public var description: String {
        switch self {
        case .unreadableModel(let reason): "the model cannot be run: \(reason)"
        case .unsupportedOperator(let node, let op): "node \(node): operator \(op) is not implemented by the reference engine"
        case .invalidNode(let node, let reason): "node \(node) is malformed: \(reason)"
        case .runFailed(let node, let reason): "node \(node) failed: \(reason)"
        case .invalidInput(let name, let reason): "input '\(name)' \(reason)"
        case .unsupportedType(let value, let type): "'\(value)' is \(type), a type the reference engine does not compute with"
        }
    }
}
