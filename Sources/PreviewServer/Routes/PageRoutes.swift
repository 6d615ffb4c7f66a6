import HTTPTypes
import Hummingbird

/// The page: HTML, CSS and script compiled into the binary (no CDN; works offline).
enum PageRoutes {
    /// The page's scripts and styles are its own files; pictures may be blobs the script made.
    static let contentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob:; connect-src 'self'; form-action 'none'; frame-ancestors 'none'"

    static func add(to router: Router<some RequestContext>) {
        router.get("/") { _, _ in asset(PackageResources.index_html, type: "text/html; charset=utf-8") }
        router.get("/preview.css") { _, _ in asset(PackageResources.preview_css, type: "text/css; charset=utf-8") }
        router.get("/preview.js") { _, _ in asset(PackageResources.preview_js, type: "text/javascript; charset=utf-8") }
    }

    private static func asset(_ bytes: [UInt8], type: String) -> Response {
        Response(
            status: .ok,
            headers: [
                .contentType: type, .contentSecurityPolicy: contentSecurityPolicy, .cacheControl: "no-store",
                HTTPField.Name("X-Content-Type-Options")!: "nosniff", HTTPField.Name("Referrer-Policy")!: "no-referrer",
            ],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
