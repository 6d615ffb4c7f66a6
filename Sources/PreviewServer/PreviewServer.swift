public import Foundation
import Hummingbird
public import InferenceRuntime
import Logging
public import TilePipeline

/// `tessera preview`'s web server: a page to pick a region of an image and see it upscaled,
/// compare settings and run the full image, on the machine's own loopback address.
///
/// ```swift
/// let server = PreviewServer(configuration: .init(images: [photo], store: store, backends: backends))
/// try await server.run { url in print(url) }
/// ```
public struct PreviewServer: Sendable {
    public struct Configuration: Sendable {
        /// Images the page starts with; the server reads no other file except uploads.
        public var images: [URL]
        /// Models offered beside the installed ones (ids, manifests or .onnx files).
        public var models: [String] = []
        public var store: ModelStore
        public var backends: [any Backend]
        public var host = "127.0.0.1"
        /// 0 lets the system choose.
        public var port = 8188
        public var maxUploadBytes = 256 << 20
        public var maxPixels = 1_000_000_000

        public init(images: [URL], store: ModelStore, backends: [any Backend]) {
            self.images = images
            self.store = store
            self.backends = backends
        }
    }

    public let configuration: Configuration
    private let token = AccessToken()

    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    /// Serves until the task is cancelled; `ready` gets the page's URL, token included, once
    /// the port is bound. Uploads and results live in a temporary folder removed at the end.
    public func run(ready: @escaping @Sendable (URL) -> Void) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "tessera-preview-\(UUID().uuidString)")
        let uploads = folder.appendingPathComponent("uploads")
        let resultsFolder = folder.appendingPathComponent("results")
        do {
            try FileManager.default.createDirectory(at: uploads, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: resultsFolder, withIntermediateDirectories: true)
        } catch {
            throw PreviewError.cannotStart(reason: "no working folder at \(folder.path): \(error.localizedDescription)")
        }
        defer { try? FileManager.default.removeItem(at: folder) }

        let library = ImageLibrary(
            uploads: uploads, maxUploadBytes: configuration.maxUploadBytes, maxPixels: configuration.maxPixels)
        for image in configuration.images {
            _ = try await library.add(image, name: image.lastPathComponent, uploaded: false)
        }
        let pool = UpscalerPool(
            store: configuration.store, backends: configuration.backends, extraModels: configuration.models,
            maxPixels: configuration.maxPixels)
        let results = ResultFiles(folder: resultsFolder)
        let api = APIRoutes(
            library: library, pool: pool, results: results,
            runs: FullRuns(library: library, pool: pool, results: results),
            installs: ModelInstalls(store: configuration.store, backends: configuration.backends),
            preview: RegionPreview(library: library, pool: pool, results: results),
            devices: configuration.backends.flatMap { backend in
                backend.devices().map { .init(id: $0.id.rawValue, library: backend.id.rawValue, name: $0.name) }
            })

        let router = Router()
        router.add(middleware: AccessCheck(token: token, hosts: loopbackHosts))
        PageRoutes.add(to: router)
        api.add(to: router)

        // The server's own notices would interleave with the URL line on the terminal; only problems are shown.
        var logger = Logger(label: "tessera-preview")
        logger.logLevel = .warning
        let host = configuration.host
        let token = token
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(host, port: configuration.port), serverName: "tessera"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                let shown = host.contains(":") ? "[\(host)]" : host
                if let url = URL(string: "http://\(shown):\(port)/?token=\(token.value)") { ready(url) }
            },
            logger: logger)
        do {
            try await app.runService()
        } catch {
            throw PreviewError.cannotStart(reason: "\(host):\(configuration.port): \(error)")
        }
    }

    /// The `Host` names a loopback server answers to; `nil` (any) when bound elsewhere.
    private var loopbackHosts: Set<String>? {
        let loopback: Set<String> = ["127.0.0.1", "localhost", "::1"]
        return loopback.contains(configuration.host) ? loopback : nil
    }
}
