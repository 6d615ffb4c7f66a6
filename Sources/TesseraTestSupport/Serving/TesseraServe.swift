public import Foundation

/// `tessera serve` (the built executable) on 127.0.0.1, serving one model file.
public enum TesseraServe {
    /// Starts the server with `model` (served under its file name without extension), its
    /// cache in `folder`, and returns once it is ready (every model loaded).
    /// - Parameters:
    ///   - token: the bearer token it requires (TESSERA_SERVE_TOKEN), if any.
    ///   - arguments: more options for `tessera serve` (`--max-request-mb 1`, say).
    public static func start(model: URL, token: String? = nil, arguments: [String] = [], in folder: URL) async throws -> ServerProcess {
        let executable = try TesseraBinary.url()
        var environment = ProcessInfo.processInfo.environment
        environment["TESSERA_CACHE"] = folder.appendingPathComponent("cache").path
        environment["TESSERA_SERVE_TOKEN"] = token
        return try await ServerProcess.start(
            name: "tessera serve", readyPath: "v2/health/ready", logFile: folder.appendingPathComponent("serve.log")
        ) { http, _ in
            let process = Process()
            process.executableURL = executable
            process.arguments = ["serve", "--model", model.path, "--port", String(http), "--library", "onnxruntime", "--no-tune"]
                + arguments
            process.environment = environment
            return process
        }
    }
}
