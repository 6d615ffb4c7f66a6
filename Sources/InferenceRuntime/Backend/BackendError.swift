/// A failure inside an inference library or in reaching it, with the library's own code and message.
///
/// Callers branch on ``kind``: the scheduler halves a tile on `.outOfMemory` and moves work to
/// another device on `.deviceLost` or `.run`.
///
/// ```swift
/// do { try session.run(inputs) } catch let error as BackendError where error.kind == .outOfMemory { … }
/// ```
public struct BackendError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, coarsely enough to act on.
    public enum Kind: String, Sendable, Codable {
        /// The library file was not found, or could not be opened.
        case libraryNotFound
        /// The library lacks a symbol Tessera needs.
        case symbolMissing
        /// The library is older than the API Tessera's declarations were written against.
        case libraryTooOld
        /// The library refused the model at load or compile time.
        case load
        /// The library failed while running the model.
        case run
        /// The device ran out of memory.
        case outOfMemory
        /// The device disappeared or reset.
        case deviceLost
        /// The inputs do not match the session's inputs.
        case invalidInput
        /// The library or device cannot do what was asked.
        case unsupported
    }

    public var kind: Kind
    public var backend: BackendID
    /// The C function or step that failed, e.g. `CreateSession` or `ov_core_compile_model`.
    public var call: String
    /// The library's error code, where it has one.
    public var code: Int?
    /// The library's message, or Tessera's own explanation.
    public var message: String

    public init(_ kind: Kind, backend: BackendID, call: String, code: Int? = nil, message: String) {
        self.kind = kind
        self.backend = backend
        self.call = call
        self.code = code
        self.message = message
    }

    public var description: String {
        let codeText = code.map { " (code \($0))" } ?? ""
        return "\(backend): \(call) failed\(codeText): \(message)"
    }
}

extension BackendError.Kind {
    /// Lets `catch BackendError.Kind.outOfMemory` match any error of that kind.
    public static func ~= (kind: BackendError.Kind, error: any Error) -> Bool {
        (error as? BackendError)?.kind == kind
    }
}
