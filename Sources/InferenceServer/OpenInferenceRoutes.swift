import Foundation
import HTTPTypes
import Hummingbird
import InferenceProtocol
import InferenceRuntime
import NIOCore
import TensorCore

/// The protocol's REST routes: health, server and model metadata, per-model readiness, inference.
struct OpenInferenceRoutes: Sendable {
    let registry: ModelRegistry
    let maxRequestBytes: Int

    static let headerLengthField = HTTPField.Name("Inference-Header-Content-Length")!

    func add(to router: Router<BasicRequestContext>) {
        router.get("/v2/health/live") { _, _ in HTTPResponse.Status.ok }
        router.get("/v2/health/ready") { _, _ in registry.isReady ? HTTPResponse.Status.ok : .serviceUnavailable }
        router.get("/v2") { _, _ in
            try Self.json(ServerMetadata(name: "tessera", version: "1", extensions: ["binary_tensor_data"]))
        }
        for prefix in ["/v2/models/:name", "/v2/models/:name/versions/:version"] {
            router.get(RouterPath(prefix)) { _, context in
                guard let model = registry.model(try context.parameters.require("name")) else { return try Self.unknownModel(context) }
                return try Self.json(model.metadata)
            }
            router.get(RouterPath(prefix + "/ready")) { _, context in
                registry.model(try context.parameters.require("name")) == nil ? Response(status: .notFound) : Response(status: .ok)
            }
            router.post(RouterPath(prefix + "/infer")) { request, context in try await infer(request, context) }
        }
    }

    private func infer(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        guard let model = registry.model(try context.parameters.require("name")) else { return try Self.unknownModel(context) }
        let body = Data(try await request.body.collect(upTo: maxRequestBytes).readableBytesView)
        let headerLength = request.headers[Self.headerLengthField].flatMap { Int($0) }
        let decoded: InferenceRequest
        do {
            decoded = try InferenceRequest.decode(body, headerLength: headerLength)
        } catch {
            return try Self.errorResponse(.badRequest, "malformed request: \(error)")
        }
        let outputs: [String: Tensor]
        do {
            outputs = try await model.pool.run(Dictionary(decoded.inputs, uniquingKeysWith: { first, _ in first }))
        } catch let error as BackendError where error.kind == .invalidInput {
            return try Self.errorResponse(.badRequest, error.description)
        } catch {
            return try Self.errorResponse(.internalServerError, "\(error)")
        }
        let names = decoded.outputs.isEmpty ? model.metadata.outputs.map(\.name) : decoded.outputs
        var selected: [(name: String, tensor: Tensor)] = []
        for name in names {
            guard let tensor = outputs[name] else { return try Self.errorResponse(.badRequest, "model \(model.name) has no output '\(name)'") }
            selected.append((name, tensor))
        }
        let message = try InferenceResponse(modelName: model.name, id: decoded.id, outputs: selected).encoded(binary: decoded.binaryOutputs)
        var headers: HTTPFields = [.contentType: message.headerLength == nil ? "application/json" : "application/octet-stream"]
        if let length = message.headerLength { headers[Self.headerLengthField] = String(length) }
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: message.body)))
    }

    static func json(_ value: some Encodable) throws -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: try JSONEncoder().encode(value))))
    }

    /// `{"error": message}` with `status`, as every peer of the protocol answers.
    static func errorResponse(_ status: HTTPResponse.Status, _ message: String) throws -> Response {
        var response = try json(ErrorReply(error: message))
        response.status = status
        return response
    }

    private static func unknownModel(_ context: BasicRequestContext) throws -> Response {
        try errorResponse(.notFound, "no model '\(context.parameters.get("name") ?? "")' is served here")
    }
}
