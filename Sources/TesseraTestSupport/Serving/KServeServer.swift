public import Foundation

/// The `kserve` ModelServer serving one ONNX model with onnxruntime
/// (`Tests/Servers/kserve_onnx_server.py`), REST on 127.0.0.1: the second implementation of the
/// Open Inference Protocol the remote backend is tested against.
public enum KServeServer {
    /// Starts the server with `model` as `name` and returns once the model is ready.
    /// - Parameter inputType: the datatype its metadata claims for the input (wrong on purpose in
    ///   a test); the model's own when `nil`.
    public static func start(model: URL, name: String, inputType: String? = nil, in folder: URL) async throws -> ServerProcess {
        let python = try ServingVenv.python()
        let script = Fixtures.repositoryRoot.appendingPathComponent("Tests/Servers/kserve_onnx_server.py")
        let environment = try ServingVenv.environment()
        return try await ServerProcess.start(
            name: "kserve", readyPath: "v2/models/\(name)/ready", logFile: folder.appendingPathComponent("kserve.log")
        ) { http, _ in
            let process = Process()
            process.executableURL = python
            process.arguments = [script.path, model.path, "--name", name, "--http-port", String(http)]
                + (inputType.map { ["--input-type", $0] } ?? [])
            process.environment = environment
            return process
        }
    }
}
