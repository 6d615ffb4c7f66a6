public import Foundation

/// Triton Inference Server 2.51 from the `nvidia-pytriton` wheel, serving one ONNX model on the
/// CPU through its Python backend (`Tests/Servers/triton_onnx_model.py`, which runs the model
/// with onnxruntime), HTTP and gRPC on 127.0.0.1.
///
/// ```swift
/// let server = try await TritonServer.start(model: onnx, name: "srvgg", in: folder)
/// defer { server.kill() }
/// ```
public enum TritonServer {
    /// One input or output as the model configuration declares it.
    public struct Declaration: Sendable {
        public var name: String
        /// Triton's type name: `TYPE_FP32`, …
        public var type: String
        /// Dimensions, batch included (`max_batch_size` is 0); `-1` is dynamic.
        public var dims: [Int]

        public init(name: String, type: String = "TYPE_FP32", dims: [Int] = [-1, 3, -1, -1]) {
            self.name = name
            self.type = type
            self.dims = dims
        }
    }

    /// Starts Triton with a model repository in `folder` holding `model` as `name`, declared with
    /// `inputs` and `outputs`, and returns once `name` is ready (readiness is per model: a
    /// server can be live with its model still loading).
    /// - Parameters:
    ///   - instances: model instances, each a Python process: requests that many at a time.
    ///   - arguments: more `tritonserver` options (TLS for gRPC, restricted APIs).
    public static func start(
        model: URL, name: String, inputs: [Declaration] = [Declaration(name: "input")], outputs: [Declaration] = [Declaration(name: "output")],
        instances: Int = 1, arguments: [String] = [], in folder: URL
    ) async throws -> ServerProcess {
        let distribution = try ServingVenv.tritonDistribution()
        let repository = folder.appendingPathComponent("triton-repository")
        let version = repository.appendingPathComponent("\(name)/1")
        try FileManager.default.createDirectory(at: version, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: Fixtures.repositoryRoot.appendingPathComponent("Tests/Servers/triton_onnx_model.py"),
            to: version.appendingPathComponent("model.py"))
        try FileManager.default.createSymbolicLink(at: version.appendingPathComponent("model.onnx"), withDestinationURL: model)
        try configuration(name: name, inputs: inputs, outputs: outputs, instances: instances)
            .write(to: repository.appendingPathComponent("\(name)/config.pbtxt"), atomically: true, encoding: .utf8)

        // The backend folder Triton expects: the wheel's Python backend plus the stub built for
        // the venv's Python, which the wheel keeps apart (one per Python version).
        let backend = folder.appendingPathComponent("triton-backends/python")
        try FileManager.default.createDirectory(at: backend, withIntermediateDirectories: true)
        for file in ["libtriton_python.so", "triton_python_backend_utils.py"] {
            try FileManager.default.createSymbolicLink(
                at: backend.appendingPathComponent(file), withDestinationURL: distribution.appendingPathComponent("backends/python/\(file)"))
        }
        let stub = distribution.appendingPathComponent("python_backend_stubs/\(try ServingVenv.pythonVersion())/triton_python_backend_stub")
        try FileManager.default.createSymbolicLink(
            at: backend.appendingPathComponent("triton_python_backend_stub"), withDestinationURL: try ServingVenv.existing(stub, what: "Triton's Python stub"))

        let environment = try ServingVenv.environment()
        return try await ServerProcess.start(
            name: "tritonserver", readyPath: "v2/models/\(name)/ready", logFile: folder.appendingPathComponent("triton.log")
        ) { http, grpc in
            let process = Process()
            process.executableURL = distribution.appendingPathComponent("bin/tritonserver")
            process.arguments = [
                "--model-repository=\(repository.path)", "--backend-directory=\(backend.deletingLastPathComponent().path)",
                "--http-address=127.0.0.1", "--http-port=\(http)", "--grpc-address=127.0.0.1", "--grpc-port=\(grpc)",
                "--allow-metrics=false", "--exit-timeout-secs=1",
            ] + arguments
            process.environment = environment
            return process
        }
    }

    /// `config.pbtxt`: the Python backend, no implicit batch dimension, CPU instances.
    static func configuration(name: String, inputs: [Declaration], outputs: [Declaration], instances: Int) -> String {
        func list(_ tensors: [Declaration]) -> String {
            tensors.map { "{ name: \"\($0.name)\" data_type: \($0.type) dims: [ \($0.dims.map(String.init).joined(separator: ", ")) ] }" }
                .joined(separator: ", ")
        }
        return """
            name: "\(name)"
            backend: "python"
            max_batch_size: 0
            input [ \(list(inputs)) ]
            output [ \(list(outputs)) ]
            instance_group [ { kind: KIND_CPU count: \(instances) } ]

            """
    }
}
