public import Foundation

/// Runs the built `tessera` executable, as a user would, for end-to-end tests.
public enum TesseraBinary {
    /// The executable beside the test bundle (`swift build --build-tests` builds both into one folder).
    public static func url() throws -> URL {
        let folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidates = [folder, folder.deletingLastPathComponent()].map { $0.appendingPathComponent("tessera") }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw Fixtures.Missing(what: "the tessera executable", path: candidates[0].path)
        }
        return found
    }

    /// Runs `tessera` with `arguments` and returns its status and output.
    public static func run(_ arguments: [String]) throws -> ProcessResult {
        try runProcess(url(), arguments)
    }
}
