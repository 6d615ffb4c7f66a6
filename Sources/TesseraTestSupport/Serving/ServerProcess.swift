public import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif
#if canImport(Glibc)
    import Glibc
#endif

/// An inference server the tests started on 127.0.0.1: its process, ports and log. Stop it
/// with ``kill()`` (SIGKILL by pid), also the way to kill a server in the middle of a run.
public final class ServerProcess: Sendable {
    /// The server did not become ready.
    public struct StartFailure: Error, CustomStringConvertible {
        public var server: String
        public var reason: String
        public var log: String
        public var description: String { "\(server) did not start: \(reason)\n\(log.suffix(3000))" }
    }

    public let name: String
    public let httpPort: Int
    public let grpcPort: Int
    public let logFile: URL
    private let process: Process

    /// `http://127.0.0.1:PORT`.
    public var httpURL: URL { URL(string: "http://127.0.0.1:\(httpPort)") ?? URL(fileURLWithPath: "/") }
    /// `grpc://127.0.0.1:PORT`.
    public var grpcURL: URL { URL(string: "grpc://127.0.0.1:\(grpcPort)") ?? URL(fileURLWithPath: "/") }
    public var pid: Int32 { process.processIdentifier }
    public var isRunning: Bool { process.isRunning }

    init(name: String, process: Process, httpPort: Int, grpcPort: Int, logFile: URL) {
        self.name = name
        self.process = process
        self.httpPort = httpPort
        self.grpcPort = grpcPort
        self.logFile = logFile
    }

    /// Starts `configure(httpPort, grpcPort)`'s process on two free loopback ports below the
    /// ephemeral range (32768 and up here), and waits until `GET readyPath` answers 200, or, for
    /// a server that answers only over TLS, until its log holds `readyLine`. A start that fails
    /// (a port taken by another test, say) is tried again on other ports.
    static func start(
        name: String, readyPath: String, readyLine: String? = nil, logFile: URL, configure: (Int, Int) throws -> Process
    ) async throws -> ServerProcess {
        var lastFailure: StartFailure?
        for _ in 0..<4 {
            let base = Int.random(in: 10_000..<16_000) * 2
            let process = try configure(base, base + 1)
            let log = try FileHandle(forWritingTo: createEmpty(logFile))
            process.standardOutput = log
            process.standardError = log
            process.standardInput = FileHandle.nullDevice
            try process.run()
            let server = ServerProcess(name: name, process: process, httpPort: base, grpcPort: base + 1, logFile: logFile)
            do {
                try await server.waitUntilReady(path: readyPath, line: readyLine)
                return server
            } catch let failure as StartFailure {
                server.kill()
                lastFailure = failure
            }
        }
        throw lastFailure ?? StartFailure(server: name, reason: "no attempt", log: "")
    }

    /// Polls `path` until it answers 200 (or the log until it holds `line`); fails as soon as the
    /// process exits, or after two minutes (a start takes seconds: only a hung server reaches it).
    private func waitUntilReady(path: String, line: String?) async throws {
        let url = httpURL.appendingPathComponent(path)
        for _ in 0..<1200 {
            guard process.isRunning else {
                throw StartFailure(server: name, reason: "exited with status \(process.terminationStatus)", log: log)
            }
            if let line {
                if log.contains(line) { return }
                try await Task.sleep(for: .milliseconds(100))
                continue
            }
            var request = URLRequest(url: url)
            request.timeoutInterval = 2
            if let (_, response) = try? await URLSession.shared.data(for: request),
                (response as? HTTPURLResponse)?.statusCode == 200
            {
                return
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw StartFailure(server: name, reason: "\(path) was not ready within two minutes", log: log)
    }

    /// What the server printed so far.
    public var log: String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

    /// Sends SIGINT, the signal a server stops gracefully on (SIGTERM may be blocked in a child
    /// of the test runner), and waits up to a minute for the process to exit.
    /// - Returns: its exit status; `nil` when it was still running (it is then killed).
    public func interruptAndWait() async throws -> Int32? {
        if process.isRunning { _ = Glibc.kill(process.processIdentifier, SIGINT) }
        for _ in 0..<600 where process.isRunning { try await Task.sleep(for: .milliseconds(100)) }
        guard !process.isRunning else {
            kill()
            return nil
        }
        return process.terminationStatus
    }

    /// Kills the server and its child processes with SIGKILL and waits for it to exit.
    ///
    /// The children too: Triton's Python-backend stubs are forked from it and inherit its
    /// listening sockets, so a server killed alone would go on accepting connections that
    /// nobody answers.
    public func kill() {
        guard process.isRunning else { return }
        let children = Self.children(of: process.processIdentifier)
        // SIGKILL: a child of Foundation's Process may inherit a mask that blocks SIGTERM.
        _ = Glibc.kill(process.processIdentifier, SIGKILL)
        for child in children { _ = Glibc.kill(child, SIGKILL) }
        // Reaped here rather than by `waitUntilExit`, which was seen to wait forever for a killed
        // tritonserver (its Python-backend stubs outlive it for a moment).
        var status: Int32 = 0
        while waitpid(process.processIdentifier, &status, 0) == -1, errno == EINTR {}
    }

    /// The processes whose parent is `pid`, from `/proc/PID/stat` (its fourth field).
    private static func children(of pid: Int32) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry -> Int32? in
            guard let child = Int32(entry), let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return nil }
            // After the command name in parentheses: state, then the parent's pid.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 1 && Int32(fields[1]) == pid ? child : nil
        }
    }

    private static func createEmpty(_ url: URL) throws -> URL {
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
            throw StartFailure(server: url.lastPathComponent, reason: "cannot create its log", log: "")
        }
        return url
    }
}
