/// A problem found by running a model, of the kind that conversions introduce silently.
public struct Pitfall: Sendable, Codable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Codable, Hashable {
        /// Tracing stored a dimension of the example input as a constant: outputs do not follow
        /// the input size, or the model fails at another size.
        case tracedConstant
        /// Activations exceed float16's largest finite value (65504) on the sample input.
        case float16Overflow
        /// Two libraries disagree beyond the verify tolerance on the same input.
        case librariesDisagree
        /// The model could not be run at all for the probe.
        case probeFailed
    }

    public enum Severity: String, Sendable, Codable, Hashable {
        /// Outputs will be wrong or the model will fail.
        case error
        /// Outputs may be wrong on some inputs or libraries.
        case warning
        /// Worth knowing; nothing is wrong.
        case note
    }

    public var kind: Kind
    public var severity: Severity
    public var message: String
    /// Nodes or outputs involved, where known.
    public var nodes: [String]

    public init(_ kind: Kind, _ severity: Severity, _ message: String, nodes: [String] = []) {
        self.kind = kind
        self.severity = severity
        self.message = message
        self.nodes = nodes
    }

    public var description: String {
        "\(severity.rawValue): \(message)" + (nodes.isEmpty ? "" : " (\(nodes.prefix(5).joined(separator: ", "))\(nodes.count > 5 ? ", …" : ""))")
    }
}
