import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `POST /upscale/NAME` and `POST /upscale` (the first model): for integrations that do not want
/// tensors. The body is an encoded image; the reply the upscaled image in the same format, as
/// `tessera upscale` would write it. A body over the size limit is refused (413) before it is
/// read whole.
struct ImageRoutes: Sendable {
    let registry: ModelRegistry
    let defaultModel: String?
    let maxRequestBytes: Int
    let log: @Sendable (String) -> Void

    func add(to router: Router<BasicRequestContext>) {
        router.post("/upscale") { request, _ in try await upscale(request, model: defaultModel ?? "") }
        router.post("/upscale/:name") { request, context in try await upscale(request, model: try context.parameters.require("name")) }
    }

    private func upscale(_ request: Request, model name: String) async throws -> Response {
        guard let model = registry.model(name) else {
            if registry.isLoading { return try OpenInferenceRoutes.errorResponse(.serviceUnavailable, "model '\(name)' is still loading") }
            return try OpenInferenceRoutes.errorResponse(.notFound, "no model '\(name)' is served here")
        }
        guard let upscaleImage = model.upscaleImage else {
            return try OpenInferenceRoutes.errorResponse(.notFound, "model '\(name)' is served as tensors only")
        }
        let body = Data(try await request.body.collect(upTo: maxRequestBytes).readableBytesView)
        log("image request for \(name): \(body.count) bytes")
        let image: UpscaledImage
        do {
            image = try await upscaleImage(body)
        } catch let error as ImageRequestError {
            let status: HTTPResponse.Status =
                switch error {
                case .unsupportedFormat: .unsupportedMediaType
                case .unreadable: .badRequest
                case .tooLarge: .contentTooLarge
                }
            return try OpenInferenceRoutes.errorResponse(status, error.description)
        } catch {
            return try OpenInferenceRoutes.errorResponse(.internalServerError, "\(error)")
        }
        return Response(
            status: .ok, headers: [.contentType: image.contentType], body: ResponseBody(byteBuffer: ByteBuffer(bytes: image.data)))
    }
}
