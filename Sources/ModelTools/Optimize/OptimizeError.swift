/// Why `tessera optimize` could not optimize a model. Nothing is written when one is thrown.
public enum OptimizeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `--passes` named a pass that does not exist.
    case unknownPass(String, known: [String])
    /// The input graph cannot be scheduled or typed, so no pass can be trusted on it.
    case unusableModel(reason: String)
    /// A pass could not compute a rewrite it had decided on (a fused weight of the wrong size, …).
    case passFailed(pass: String, node: String, reason: String)
    /// A pass left a graph that no longer validates: a bug, reported rather than written.
    case brokenRewrite(pass: String, reason: String)

    public var description: String {
        switch self {
        case .unknownPass(let name, let known): "unknown pass '\(name)' (passes: \(known.joined(separator: ", ")))"
        case .unusableModel(let reason): "the model cannot be optimized: \(reason)"
        case .passFailed(let pass, let node, let reason): "pass \(pass), node \(node): \(reason)"
        case .brokenRewrite(let pass, let reason): "pass \(pass) produced an invalid graph (nothing written): \(reason)"
        }
    }
}
