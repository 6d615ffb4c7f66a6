/// Why a verification could not be carried out (as opposed to outputs that differ, which is a
/// result, not an error).
public enum VerifyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The two runs produced outputs that cannot be compared.
    case mismatchedOutputs(name: String, reason: String)
    /// The models' interfaces differ, so the same inputs cannot be fed to both.
    case mismatchedInterfaces(first: String, second: String, reason: String)
    /// A requested library is not available on this machine.
    case libraryUnavailable(String, available: [String])
    /// The library could not load or run a model.
    case runFailed(model: String, library: String, reason: String)
    /// Fewer than two runs to compare: one model on one library.
    case nothingToCompare
    /// The difference picture could not be written.
    case pictureFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case .mismatchedOutputs(let name, let reason): "output '\(name)' cannot be compared: \(reason)"
        case .mismatchedInterfaces(let first, let second, let reason): "\(first) and \(second) differ: \(reason)"
        case .libraryUnavailable(let library, let available):
            "library '\(library)' is not available here (found: \(available.isEmpty ? "none" : available.joined(separator: ", ")))"
        case .runFailed(let model, let library, let reason): "\(model) on \(library): \(reason)"
        case .nothingToCompare:
            "nothing to compare: give a second model, or two or more libraries with --library a,b"
        case .pictureFailed(let path, let reason): "\(path): cannot write the difference picture: \(reason)"
        }
    }
}
