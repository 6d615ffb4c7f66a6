import ArgumentParser
import Foundation
import ImageIO
import InferenceServer
import Tessera
import TilePipeline

/// `tessera serve`: Tessera as a node of a serving fleet.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve models over the Open Inference Protocol (KServe v2 REST), on this machine's best devices.",
        discussion: """
            Speaks what Triton, KServe and OpenVINO Model Server speak, so a load balancer or \
            another Tessera (`tessera upscale --remote http://host:port`) can send it tensors: \
            GET /v2/health/live and /v2/health/ready, GET /v2 and /v2/models/NAME (metadata), \
            GET /v2/models/NAME/ready, POST /v2/models/NAME/infer (JSON, or the binary tensor \
            extension with Inference-Header-Content-Length). Each model is loaded as `tessera \
            upscale` would load it: its variant chosen, the fastest library and device measured \
            on the first run here, one session per usable device; requests queue for them.

            POST /upscale/NAME (or /upscale, for the first model) takes an image (PNG, JPEG, \
            TIFF, WebP, AVIF) as the body and answers the upscaled image in the same format \
            (PNG for AVIF), the same pixels `tessera upscale` writes.

            Listens on 127.0.0.1 unless --host says otherwise. Readiness turns true once every \
            model is loaded. TESSERA_SERVE_TOKEN, when set, is the bearer token every request \
            but the health checks must carry. Ctrl-C or SIGTERM stops it after the requests in \
            flight finish.

            Examples:
              tessera serve
              tessera serve --model realesr-animevideov3-x4 --model realesrgan-x4plus --port 8001
              curl --data-binary @photo.jpg http://127.0.0.1:8000/upscale -o photo-x4.jpg
              TESSERA_SERVE_TOKEN=secret tessera serve --host 0.0.0.0
            """
    )

    @Option(name: .customLong("model"), help: "A model id, manifest or .onnx file to serve; repeat for several.")
    var models: [String] = ["realesr-animevideov3-x4"]

    @Option(help: "The address to listen on (0.0.0.0 exposes the server to the network).")
    var host = "127.0.0.1"

    @Option(help: "The port to listen on.")
    var port = 8000

    @Option(help: "Use only this library: onnxruntime, openvino or reference.")
    var library: String?

    @Option(help: "Intra-op threads per session (default: the library's choice).")
    var threads: Int?

    @Option(name: .customLong("max-request-mb"), help: "The largest request accepted, in MiB.")
    var maxRequestMegabytes = 256

    @Flag(help: "Do not time the libraries on a first run; follow the policy order (or earlier measurements).")
    var noTune = false

    func validate() throws {
        if !(1...65535).contains(port) { throw ValidationError("--port must be between 1 and 65535") }
        if maxRequestMegabytes < 1 { throw ValidationError("--max-request-mb must be at least 1") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        try LibraryNames.validate(library)
        if library == "remote" { throw ValidationError("tessera serve runs models on this machine: --library remote does not apply") }
    }

    func run() async throws {
        var options = UpscaleOptions()
        options.library = library
        options.tune = !noTune
        options.session = SessionOptions(threads: threads, cacheDirectory: Cache.directory)
        let configuration = InferenceServer.Configuration(
            host: host, port: port, token: ProcessInfo.processInfo.environment["TESSERA_SERVE_TOKEN"],
            maxRequestBytes: maxRequestMegabytes << 20)
        let settings = options
        let names = models.map(RemoteOptions.defaultName(of:))
        let byName = Dictionary(zip(names, models), uniquingKeysWith: { first, _ in first })
        let server = InferenceServer(models: names, configuration: configuration, log: { StandardError.write("tessera: \($0)") }) { name in
            // The pipeline's own loading: variant, measured selection, one session per device.
            let upscaler = try await Upscaler.load(
                models: [byName[name] ?? name], store: ModelStore(root: Cache.directory), backends: BackendCatalog.discover().backends,
                options: settings, log: { StandardError.write("tessera: \($0)") })
            return LoadedModel(
                sessions: upscaler.workers.compactMap { ($0.processor as? SessionProcessor)?.session },
                upscaleImage: { image in try await Self.upscale(image, with: upscaler) })
        }
        try await server.run()
    }

    /// One posted image through `upscaler`, as `tessera upscale` would write it; a fault of the
    /// image itself becomes the client's error (4xx), not the server's.
    private static func upscale(_ image: Data, with upscaler: Upscaler) async throws -> UpscaledImage {
        do {
            let (data, format) = try await upscaler.upscale(encoded: image, workingIn: FileManager.default.temporaryDirectory)
            return UpscaledImage(data: data, contentType: format.mediaType)
        } catch let error as ImageIOError {
            switch error {
            case .unknownFormat: throw ImageRequestError.unsupportedFormat("not a PNG, JPEG, TIFF, WebP or AVIF image")
            case .tooManyPixels(_, let width, let height, let limit):
                throw ImageRequestError.tooLarge("the image's \(width)×\(height) pixels exceed the server's limit of \(limit)")
            case .emptyFile, .truncated, .corrupt, .unsupported:
                throw ImageRequestError.unreadable(error.description)
            default: throw error
            }
        }
    }
}
