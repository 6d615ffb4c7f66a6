import HTTPTypes
import Hummingbird

/// Lets through only requests for this server, with the token.
///
/// The token travels in the `X-Tessera-Token` header (the page's own script adds it): a header,
/// unlike a cookie, is never attached by the browser to a request another site makes, and a
/// cross-site request cannot set it without a CORS preflight this server never answers. The page
/// itself is fetched with the token in its query string. The `Host` check stops DNS rebinding.
struct AccessCheck<Context: RequestContext>: RouterMiddleware {
    static var tokenHeader: HTTPField.Name { HTTPField.Name("X-Tessera-Token")! }

    let token: AccessToken
    /// Accepted `Host` names; `nil` accepts any (the server was bound with --host).
    let hosts: Set<String>?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        if let hosts {
            let authority = request.head.authority ?? ""
            guard hosts.contains(Self.hostName(authority)) else { throw PreviewError.foreignHost(authority) }
        }
        let path = request.uri.path
        if path.hasPrefix("/api/") {
            guard token.matches(request.headers[Self.tokenHeader]) else { throw PreviewError.missingToken }
        } else if path == "/" {
            guard token.matches(request.uri.queryParameters.get("token")) else { throw PreviewError.missingToken }
        }
        return try await next(request, context)
    }

    /// `127.0.0.1:8188` → `127.0.0.1`, `[::1]:8188` → `::1`.
    static func hostName(_ authority: String) -> String {
        if authority.hasPrefix("["), let end = authority.firstIndex(of: "]") {
            return String(authority[authority.index(after: authority.startIndex)..<end])
        }
        return String(authority.split(separator: ":", maxSplits: 1).first ?? "")
    }
}
