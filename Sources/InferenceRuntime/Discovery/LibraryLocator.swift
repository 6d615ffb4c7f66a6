public import Foundation

/// Finds candidate files for one inference library, in the order DESIGN.md sets: an explicit
/// environment variable, then the project's `.venv`, then the system's library paths.
///
/// Every place looked at is recorded with why it was not used, so `tessera devices` can explain
/// a library that was not found.
public struct LibraryLocator: Sendable {
    /// One place a library may be.
    public struct Candidate: Sendable, Hashable {
        /// `environment`, `venv` or `system`.
        public var source: String
        public var path: String
    }

    /// Where to look for one library.
    public var fileNames: [String]
    /// The environment variable that names the library file explicitly.
    public var environmentVariable: String
    /// Paths inside a venv's `site-packages` (e.g. `onnxruntime/capi`) that hold the library.
    public var venvSubdirectories: [String]

    public init(fileNames: [String], environmentVariable: String, venvSubdirectories: [String]) {
        self.fileNames = fileNames
        self.environmentVariable = environmentVariable
        self.venvSubdirectories = venvSubdirectories
    }

    /// Every place looked at, in search order: a file to try, or a place that held none (with why).
    public enum Place: Sendable, Hashable {
        case file(Candidate)
        case empty(source: String, place: String, reason: String)
    }

    /// The places to look, in search order.
    public func search(environment: [String: String] = ProcessInfo.processInfo.environment) -> [Place] {
        var places: [Place] = []
        let files = FileManager.default

        if let explicit = environment[environmentVariable], !explicit.isEmpty {
            places.append(
                files.fileExists(atPath: explicit)
                    ? .file(Candidate(source: "environment", path: explicit))
                    : .empty(source: "environment", place: "$\(environmentVariable)=\(explicit)", reason: "no such file"))
        }
        for venv in Self.venvDirectories(environment: environment) {
            for sitePackages in Self.sitePackages(in: venv) {
                for subdirectory in venvSubdirectories {
                    let folder = sitePackages.appendingPathComponent(subdirectory)
                    if let match = fileNames.lazy.compactMap({ Self.match($0, in: folder) }).first {
                        places.append(.file(Candidate(source: "venv", path: match.path)))
                    } else {
                        places.append(.empty(source: "venv", place: folder.path, reason: "no \(fileNames[0]) there"))
                    }
                }
            }
        }
        var systemFound = false
        for folder in Self.systemDirectories(environment: environment) {
            for name in fileNames {
                let path = URL(fileURLWithPath: folder).appendingPathComponent(name).path
                if files.fileExists(atPath: path) {
                    places.append(.file(Candidate(source: "system", path: path)))
                    systemFound = true
                }
            }
        }
        if !systemFound {
            places.append(.empty(
                source: "system", place: "system library paths", reason: "no \(fileNames.joined(separator: " or "))"))
        }
        var seen: Set<String> = []
        return places.filter {
            if case .file(let candidate) = $0 { return seen.insert(candidate.path).inserted }
            return true
        }
    }

    /// Tries each file in search order with `load` until one loads, recording every place.
    ///
    /// `load` opens and checks one file (right library, new enough); its errors become the
    /// attempt's reason, so a missing, corrupt, foreign or outdated library is skipped, never fatal.
    public func discover(
        _ library: BackendID, environment: [String: String], load: (String) throws(BackendError) -> any Backend
    ) -> BackendDiscovery {
        var attempts: [LibraryAttempt] = []
        var backend: (any Backend)?
        for place in search(environment: environment) {
            switch place {
            case .empty(let source, let place, let reason):
                attempts.append(LibraryAttempt(source: source, path: place, outcome: .rejected(reason: reason)))
            case .file(let candidate) where backend != nil:
                attempts.append(LibraryAttempt(source: candidate.source, path: candidate.path, outcome: .notNeeded))
            case .file(let candidate):
                do {
                    let loaded = try load(candidate.path)
                    backend = loaded
                    attempts.append(
                        LibraryAttempt(source: candidate.source, path: candidate.path, outcome: .loaded(version: loaded.version)))
                } catch {
                    attempts.append(
                        LibraryAttempt(source: candidate.source, path: candidate.path, outcome: .rejected(reason: error.message)))
                }
            }
        }
        return BackendDiscovery(library: library, backend: backend, attempts: attempts)
    }

    /// `$TESSERA_VENV`, then `.venv` in the working directory or any parent, then `.venv` beside
    /// the executable's build folder (`.build/release/tessera` → `./.venv`).
    static func venvDirectories(environment: [String: String]) -> [URL] {
        var result: [URL] = []
        if let explicit = environment["TESSERA_VENV"], !explicit.isEmpty { result.append(URL(fileURLWithPath: explicit)) }
        let starts = [
            URL(fileURLWithPath: FileManager.default.currentDirectoryPath),
            URL(fileURLWithPath: CommandLine.arguments.first ?? "/").resolvingSymlinksInPath().deletingLastPathComponent(),
        ]
        for start in starts {
            var folder = start.standardizedFileURL
            while folder.path != "/" {
                let venv = folder.appendingPathComponent(".venv")
                if FileManager.default.fileExists(atPath: venv.appendingPathComponent("lib").path) {
                    result.append(venv)
                    break
                }
                folder.deleteLastPathComponent()
            }
        }
        var seen: Set<String> = []
        return result.filter { seen.insert($0.standardizedFileURL.path).inserted }
    }

    private static func sitePackages(in venv: URL) -> [URL] {
        let lib = venv.appendingPathComponent("lib")
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: lib.path)) ?? []
        return versions.filter { $0.hasPrefix("python") }.sorted().map {
            lib.appendingPathComponent($0).appendingPathComponent("site-packages")
        }
    }

    private static func systemDirectories(environment: [String: String]) -> [String] {
        let fromEnvironment = (environment["LD_LIBRARY_PATH"] ?? "").split(separator: ":").map(String.init)
        return fromEnvironment + ["/usr/local/lib", "/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib"]
    }

    /// `name` itself, or a versioned file `name.N…` in `folder`.
    private static func match(_ name: String, in folder: URL) -> URL? {
        let exact = folder.appendingPathComponent(name)
        if FileManager.default.fileExists(atPath: exact.path) { return exact }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return entries.filter { $0.hasPrefix(name + ".") }.sorted().first.map { folder.appendingPathComponent($0) }
    }
}
