import InferenceProtocol
import TensorCore

/// One transport of the Open Inference Protocol (REST or gRPC) to one endpoint: health,
/// metadata and inference, each failure a ``RemoteError`` naming the endpoint.
protocol InferenceClient: Sendable {
    var endpoint: RemoteEndpoint { get }
    /// `GET /v2/health/live`: the server process answers.
    func isLive() async -> Bool
    /// The endpoint's model is loaded and ready (readiness is per model: a live server may
    /// still be loading it).
    func isModelReady() async -> Bool
    func serverMetadata() async throws(RemoteError) -> ServerMetadata
    func modelMetadata() async throws(RemoteError) -> ModelMetadata
    /// Runs the model once on `inputs` and returns `outputs` by name.
    func infer(_ inputs: [(name: String, tensor: Tensor)], outputs: [String]) async throws(RemoteError) -> [String: Tensor]
}
