public import Foundation

/// `Tests/Servers/faulty_oip_server.py` on 127.0.0.1: correct metadata for a 4× model named
/// `srvgg`, then inference replies broken in the way `fault` names (`wrong-shape`,
/// `wrong-type`, `truncated`, `status-500`, `garbage`).
public enum FaultyServer {
    public static func start(fault: String, in folder: URL) async throws -> ServerProcess {
        let python = try ServingVenv.python()
        let script = Fixtures.repositoryRoot.appendingPathComponent("Tests/Servers/faulty_oip_server.py")
        return try await ServerProcess.start(
            name: "faulty server (\(fault))", readyPath: "v2/models/srvgg/ready", logFile: folder.appendingPathComponent("faulty-\(fault).log")
        ) { http, _ in
            let process = Process()
            process.executableURL = python
            process.arguments = [script.path, "--port", String(http), "--fault", fault]
            return process
        }
    }
}
