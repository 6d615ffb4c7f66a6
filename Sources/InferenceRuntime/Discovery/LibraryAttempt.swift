/// One place a library was looked for, and what came of it; `tessera devices` prints these.
public struct LibraryAttempt: Sendable, Hashable, Codable, CustomStringConvertible {
    /// What happened at this place.
    public enum Outcome: Sendable, Hashable, Codable {
        /// The library loaded and passed every check; its version string.
        case loaded(version: String)
        /// Not used, and why: not there, cannot be opened, not the right library, too old, incomplete.
        case rejected(reason: String)
        /// Not opened, because an earlier candidate had already loaded.
        case notNeeded
    }

    /// Where the place came from in the search order: `environment`, `venv` or `system`.
    public var source: String
    /// The file, or the place searched when nothing was there.
    public var path: String
    public var outcome: Outcome

    public init(source: String, path: String, outcome: Outcome) {
        self.source = source
        self.path = path
        self.outcome = outcome
    }

    public var description: String {
        switch outcome {
        case .loaded(let version): "\(path) (\(source)): loaded, version \(version)"
        case .rejected(let reason): "\(path) (\(source)): skipped: \(reason)"
        case .notNeeded: "\(path) (\(source)): not needed, an earlier candidate loaded"
        }
    }
}

/// The result of looking for one library: the backend, if a candidate loaded, and every place tried.
public struct BackendDiscovery: Sendable {
    public var library: BackendID
    public var backend: (any Backend)?
    public var attempts: [LibraryAttempt]

    public init(library: BackendID, backend: (any Backend)?, attempts: [LibraryAttempt]) {
        self.library = library
        self.backend = backend
        self.attempts = attempts
    }
}
