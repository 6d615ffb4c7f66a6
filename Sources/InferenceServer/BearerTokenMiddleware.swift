import HTTPTypes
import Hummingbird
import InferenceProtocol

/// Refuses requests without `Authorization: Bearer TOKEN` (401), except the health checks, which
/// load balancers and orchestrators call without credentials.
struct BearerTokenMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if request.uri.path.hasPrefix("/v2/health/") || request.headers[.authorization] == "Bearer \(token)" {
            return try await next(request, context)
        }
        return try OpenInferenceRoutes.errorResponse(.unauthorized, "a bearer token is required (Authorization: Bearer …)")
    }
}
