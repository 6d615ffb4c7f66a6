public import Foundation

/// `Tests/Servers/faulty_oip_server.py` on 127.0.0.1: correct metadata for a 4× model named
/// `srvgg`, then inference replies broken in the way `fault` names (`wrong-shape`,
/// `wrong-type`, `truncated`, `status-500`, `garbage`), or well-formed zeros (`none`), each
/// held `delay` seconds.
public enum FaultyServer {
    /// - Parameter tls: the certificate and key to answer HTTPS with (``TestCertificates``);
    ///   its URL is then ``ServerProcess/httpURL`` with `https` for `http`.
    public static func start(
        fault: String, delay: Double = 0, tls: TestCertificates? = nil, in folder: URL
    ) async throws -> ServerProcess {
        let python = try ServingVenv.python()
        let script = Fixtures.repositoryRoot.appendingPathComponent("Tests/Servers/faulty_oip_server.py")
        return try await ServerProcess.start(
            name: "faulty server (\(fault))", readyPath: "v2/models/srvgg/ready", readyLine: tls.map { _ in "listening" },
            logFile: folder.appendingPathComponent("faulty-\(fault)-\(delay)\(tls == nil ? "" : "-tls").log")
        ) { http, _ in
            let process = Process()
            process.executableURL = python
            process.arguments = [script.path, "--port", String(http), "--fault", fault, "--delay", String(delay)]
                + (tls.map { ["--tls", $0.certificate.path, $0.key.path] } ?? [])
            return process
        }
    }
}
