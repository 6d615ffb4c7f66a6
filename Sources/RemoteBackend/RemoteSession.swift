import InferenceProtocol
import Dispatch
import InferenceRuntime
import Synchronization
import TensorCore

/// A model on an inference server, run tile by tile. Inputs are checked against the server's
/// metadata before they are sent, and each reply against the metadata and the model's own shape
/// inference before it is returned: a server that answers wrongly fails as a device would
/// (``BackendError`` of kind `.run`, naming the endpoint) and its tiles go elsewhere.
struct RemoteSession: Session {
    let connection: RemoteBackend.Connection
    let shapes: OutputShapes
    let inputs: [TensorDescription]
    let outputs: [TensorDescription]

    init(connection: RemoteBackend.Connection, shapes: OutputShapes) {
        self.connection = connection
        self.shapes = shapes
        func describe(_ tensor: TensorMetadata) -> TensorDescription {
            TensorDescription(
                name: tensor.name, dataType: DataType(inferenceProtocolName: tensor.datatype) ?? .float32,
                dims: tensor.shape.map { $0 < 0 ? nil : $0 })
        }
        inputs = connection.model.inputs.map(describe)
        outputs = connection.model.outputs.map(describe)
    }

    var device: Device { connection.device }
    private var endpoint: String { connection.endpoint.description }

    /// Sends `feeds` and waits for the reply; blocks the calling thread (a tile worker's).
    func run(_ feeds: [String: Tensor]) throws -> [String: Tensor] {
        try checkInputs(feeds)
        let ordered = inputs.compactMap { input in feeds[input.name].map { (name: input.name, tensor: $0) } }
        let client = connection.client
        let names = outputs.map(\.name)
        let reply: [String: Tensor]
        do {
            reply = try Self.waiting { () async throws(RemoteError) in try await client.infer(ordered, outputs: names) }
        } catch {
            throw error.backendError(call: "infer")
        }
        try checkReply(reply, inputShapes: feeds.mapValues(\.shape))
        return reply
    }

    private func checkInputs(_ feeds: [String: Tensor]) throws(BackendError) {
        func invalid(_ message: String) -> BackendError {
            BackendError(.invalidInput, backend: .remote, call: "infer", message: "\(endpoint): \(message)")
        }
        for input in inputs {
            guard let tensor = feeds[input.name] else { throw invalid("input '\(input.name)' is missing") }
            guard tensor.dataType == input.dataType else {
                throw invalid("input '\(input.name)' is \(Self.name(tensor.dataType)), the server takes \(Self.name(input.dataType))")
            }
            let fits = tensor.shape.count == input.dims.count && zip(tensor.shape, input.dims).allSatisfy { $1 == nil || $0 == $1 }
            guard fits else { throw invalid("input '\(input.name)' has shape \(tensor.shape), the server takes \(input.dims.map { $0 ?? -1 })") }
        }
    }

    private func checkReply(_ reply: [String: Tensor], inputShapes: [String: [Int]]) throws(BackendError) {
        func wrong(_ reason: String) -> BackendError {
            RemoteError.malformedReply(endpoint: endpoint, reason: reason).backendError(call: "infer")
        }
        for output in outputs {
            guard let tensor = reply[output.name] else { throw wrong("output '\(output.name)' is missing") }
            guard tensor.dataType == output.dataType else {
                throw wrong("output '\(output.name)' is \(Self.name(tensor.dataType)), its metadata says \(Self.name(output.dataType))")
            }
            if let expected = shapes.expected(output.name, inputShapes: inputShapes), tensor.shape != expected {
                throw wrong("output '\(output.name)' has shape \(tensor.shape), the model gives \(expected) for these inputs")
            }
        }
    }

    /// `FP32`, as the protocol and the server's metadata name types.
    private static func name(_ type: DataType) -> String { type.inferenceProtocolName ?? type.onnxName }

    /// Runs `operation` on the cooperative pool and blocks this thread until it finishes. Only
    /// for threads outside the pool (the scheduler's workers), which may block.
    private static func waiting<T: Sendable>(
        _ operation: @escaping @Sendable () async throws(RemoteError) -> T
    ) throws(RemoteError) -> T {
        let result = Mutex<Result<T, RemoteError>?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            let outcome: Result<T, RemoteError>
            do throws(RemoteError) { outcome = .success(try await operation()) } catch { outcome = .failure(error) }
            result.withLock { $0 = outcome }
            done.signal()
        }
        done.wait()
        // The task stored a result before it signalled.
        return try result.withLock { $0 ?? .failure(.unreachable(endpoint: "", cause: "no result")) }.get()
    }
}
