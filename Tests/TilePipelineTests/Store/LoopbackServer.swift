import Foundation
import TesseraTestSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `Tests/Oracles/http_server.py` serving a folder on 127.0.0.1, for as long as a test needs it.
/// Call ``stop()`` when done (a `defer` right after creating it).
final class LoopbackServer {
    /// The server died before printing its port.
    struct StartFailure: Error, CustomStringConvertible {
        var output: String
        var description: String { "http_server.py did not start: \(output)" }
    }

    let port: Int
    /// One line per request: `METHOD PATH RANGE-OR-DASH STATUS`.
    let log: URL
    private let process: Process

    /// Serves `directory`; with `cutAfter`, the first response longer than that many bytes is
    /// cut after them.
    init(serving directory: URL, cutAfter: Int? = nil) throws {
        log = directory.deletingLastPathComponent().appendingPathComponent("requests-\(UUID().uuidString).log")
        process = Process()
        process.executableURL = try Fixtures.python()
        let script = Fixtures.repositoryRoot.appendingPathComponent("Tests/Oracles/http_server.py")
        process.arguments = [script.path, directory.path, "--log", log.path] + (cutAfter.map { ["--cut-after", String($0)] } ?? [])
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // The first line of stdout is the port; an empty read is the end of the stream.
        var text = ""
        while !text.contains("\n") {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        guard let port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw StartFailure(output: text)
        }
        self.port = port
    }

    /// `http://127.0.0.1:PORT/NAME`.
    func url(_ name: String) -> URL {
        URL(string: "http://127.0.0.1:\(port)/\(name)") ?? URL(fileURLWithPath: "/")
    }

    /// The requests served so far.
    var requests: [String] {
        ((try? String(contentsOf: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    func stop() {
        if process.isRunning {
            // SIGKILL: a child of Foundation's Process may inherit a mask that blocks SIGTERM.
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: log)
    }
}
