import ArgumentParser
import Foundation
import ImageIO
import PreviewServer
import Tessera
import TilePipeline

/// `tessera preview`: a local web page to look at upscales before running them.
struct Preview: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Open a local web page to preview upscales of a region, compare models and run the full image.",
        discussion: """
            Starts a web server on this machine (127.0.0.1 unless --host is given) and prints \
            its URL, with a one-time token: only a browser given that URL can use the page. On \
            the page, open an image (from the command line or uploaded), drag a rectangle over \
            it, and see that region upscaled next to the source enlarged without smoothing, with \
            a slider between the two and shared zoom and pan. Choose the model, the precision, \
            TTA, seam blending, the library and the device; compare two settings side by side \
            with PSNR, SSIM and a difference heatmap; then upscale the whole image with live \
            progress, cancel it, or download the result.

            A region comes out exactly as `tessera upscale --region` writes it with the same \
            settings: the page runs the same pipeline, and keeps the models loaded between \
            previews. The server reads only the images given here, those uploaded to it \
            (--max-upload-mb) and a model manifest the page asks it to install; it offers the \
            installed models and those given with --model. \
            Stop it with Ctrl-C; its uploads and results are removed then.

            Examples:
              tessera preview photo.jpg --open
              tessera preview scans/*.tif --model realesr-animevideov3-x4 --model denoise.json
              tessera preview --port 9000
            """
    )

    @Argument(
        help: ArgumentHelp("Images to open (.png, .jpg, .tif); more can be uploaded from the page.", valueName: "image")
    )
    var images: [String] = []

    @Option(
        name: .customLong("model"),
        help: "A model id, manifest or .onnx file to offer besides the installed models; repeatable.")
    var models: [String] = []

    @Option(help: "The address to listen on; anything but 127.0.0.1, ::1 or localhost lets other machines connect.")
    var host = "127.0.0.1"

    @Option(help: "The port (0: any free port).")
    var port = 8188

    @Flag(help: "Open the page in the default browser.")
    var open = false

    @Option(name: .customLong("max-upload-mb"), help: "The largest upload the page accepts, in MiB.")
    var maxUploadMB = 256

    @Option(help: "Refuse images whose header claims more pixels than this.")
    var maxPixels = ImageReader.defaultMaxPixels

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        guard maxUploadMB >= 1 else { throw ValidationError("--max-upload-mb must be at least 1") }
        guard maxPixels >= 1 else { throw ValidationError("--max-pixels must be at least 1") }
        for image in images where !FileManager.default.fileExists(atPath: image) {
            throw ValidationError("\(image): no such file")
        }
    }

    func run() async throws {
        var configuration = PreviewServer.Configuration(
            images: images.map { URL(fileURLWithPath: $0) }, store: ModelStore(root: Cache.directory),
            backends: BackendCatalog.discover().backends)
        configuration.models = models
        configuration.host = host
        configuration.port = port
        configuration.maxUploadBytes = maxUploadMB << 20
        configuration.maxPixels = maxPixels
        let open = open
        try await PreviewServer(configuration: configuration).run { url in
            // Unbuffered: a script (or a test) waits for this line while the server runs on.
            FileHandle.standardOutput.write(Data("tessera preview: \(url.absoluteString)\n".utf8))
            if open { Self.openInBrowser(url) }
        }
    }

    /// Hands the URL to the desktop's opener; a failure leaves the printed URL to copy.
    private static func openInBrowser(_ url: URL) {
        #if os(macOS)
            let (tool, arguments) = ("/usr/bin/open", [url.absoluteString])
        #else
            let (tool, arguments) = ("/usr/bin/env", ["xdg-open", url.absoluteString])
        #endif
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            StandardError.write("tessera: could not open a browser (\(error.localizedDescription)); open the URL above")
        }
    }
}
