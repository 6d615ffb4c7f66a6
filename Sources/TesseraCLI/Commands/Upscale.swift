import ArgumentParser
import Foundation
import ImageIO
import Tessera
import TilePipeline

/// `tessera upscale`: the photographer's command.
struct Upscale: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Upscale images of any size with a model, tiled over every suitable device.",
        discussion: """
            Cuts each image into overlapping tiles, runs them on one worker per device (the \
            library each device runs fastest, as `tessera check` and the selection policy \
            decide), and stitches the result without seams, writing the output in row bands so \
            even a 32000×32000 result never sits whole in memory. A device that fails hands its \
            tiles to the others. The output format follows the extension (.png, .jpg, .tif, \
            .webp, .avif); --quality sets JPEG's and lossy WebP's and AVIF's quality, --lossless \
            makes WebP or AVIF lossless; inputs may also be HEIC/HEIF or JPEG XL (read only); \
            alpha is upscaled too, the ICC profile carried over, and the output is written to a \
            temporary file that replaces the target only when complete, so Ctrl-C leaves nothing.

            The first time a model runs on this machine (at a tile size, thread count and \
            precision), every library and device that can run it is timed on a small tile \
            (once: about 1 s for realesr-animevideov3-x4, 10 s for realesrgan-x4plus; `models \
            install` does it ahead), and the fastest is used from then on; the measurements are \
            kept with the model store and redone when a library, the model or the CPU changes. \
            --explain prints the table, --no-tune skips measuring. With --precision fast, each \
            library's narrower precisions, and the manifest's other installed variants (int8, \
            fp16), are measured too, and their output is compared with float32's on photos that \
            ship with Tessera: the fastest one at or above --min-psnr (45 dB) is used, never one \
            below it.

            Models are installed ids (`tessera models list`), manifests or .onnx files; give \
            --model twice to chain models. Several inputs, or a folder, go into an output folder; \
            outputs that already exist are skipped, so an interrupted batch can be rerun.

            --remote adds inference servers that speak the Open Inference Protocol (KServe v2: \
            Triton, KServe, OpenVINO Model Server, MLServer, another `tessera serve`) as devices: \
            their model metadata is checked against the model before any tile is sent, the tiles \
            of each image are spread over them and the local devices together (whoever is idle \
            takes the next tile), and a server that fails or answers wrongly hands its tiles to \
            the others. --library remote uses the servers alone.

            Examples:
              tessera upscale photo.jpg -o photo-x4.png
              tessera upscale photo.jpg -o preview.png --region 1200,800,256,256
              tessera upscale photo.jpg -o photo-x4.png --precision fast --explain
              tessera upscale photo.png -o photo-x4.webp --quality 85
              tessera upscale photo.heic -o photo-x4.avif --quality 80
              tessera upscale shoot/ -o shoot-x4/ --format tif --bits 16
              tessera upscale scan.png -o out.png --model realesr-animevideov3-x4 --model denoise.json --tta
              tessera upscale photo.png -o out.png --json | jq -c 'select(.event == "done")'
              tessera upscale shoot/ -o shoot-x4/ --remote http://triton-a:8000 --remote http://triton-b:8000
            """
    )

    @Argument(help: ArgumentHelp("Images (.png, .jpg, .tif, .webp, .avif, .heic, .heif, .jxl) or folders of them.", valueName: "input"))
    var inputs: [String]

    @Option(name: [.short, .long], help: "The output file (one input) or folder (several inputs or a folder).")
    var output: String

    @Option(name: .customLong("model"), help: "A model id, manifest or .onnx file; repeat to chain models.")
    var models: [String] = ["realesr-animevideov3-x4"]

    @Option(help: "Tile side in input pixels (default: from device memory, at most 512).")
    var tile: Int?

    @Option(help: "Context pixels around each tile (default: the manifest's overlap).")
    var overlap: Int?

    @Option(help: "Same-size tiles per model call.")
    var batch = 1

    @Option(help: ArgumentHelp("Process only this area, for a quick preview.", valueName: "x,y,w,h"))
    var region: RegionOption?

    @Flag(help: "Test-time augmentation: average over the 8 flips and transposes (8× slower, slightly cleaner).")
    var tta = false

    @Flag(help: "Blend tile overlaps with a raised-cosine ramp instead of cropping margins.")
    var blend = false

    @Option(help: "Use only this library: onnxruntime, openvino, reference, or remote (only the --remote servers).")
    var library: String?

    @Option(help: "Use only this device: an id (openvino:CPU), a route (GPU.0) or a kind (cpu, gpu).")
    var device: String?

    @Flag(help: "Use only the best device instead of one worker per device.")
    var singleDevice = false

    @Option(help: ArgumentHelp(
        "accurate (float32, the default) or fast: the fastest precision whose output stays above --min-psnr.",
        discussion: "Fast mode measures each library's narrower precisions (OpenVINO's bfloat16/float16 where the device has them) against float32 on photos that ship with Tessera, once per model and machine, and uses one only above the floor."))
    var precision: SessionOptions.Precision = .accurate

    @Option(name: .customLong("min-psnr"), help: ArgumentHelp("Fast mode's quality floor: PSNR in dB against float32.", valueName: "dB"))
    var minimumPSNR: Double = 45

    @Option(help: "Intra-op threads per worker (default: the library's choice).")
    var threads: Int?

    @Option(help: "Sessions per device, run side by side; on a CPU they divide its threads between them.")
    var sessions = 1

    @Option(help: "Output format for folder outputs: png, jpg, tif, webp or avif (default: the input's; PNG for HEIF and JPEG XL).")
    var format: String?

    @Option(help: "JPEG, lossy WebP or lossy AVIF quality, 1–100 (default: 92 for JPEG, 90 for WebP, 80 for AVIF).")
    var quality: Int?

    @Flag(help: "Write WebP or AVIF lossless (larger files, exact samples; AVIF keeps 10 of 16 bits).")
    var lossless = false

    @Option(help: "Output bits per sample: 8 or 16 (default: the input's; JPEG and WebP are always 8, AVIF stores 16 as 10).")
    var bits: Int?

    @Option(help: "Refuse inputs whose header claims more pixels than this (guards against decompression bombs).")
    var maxPixels = ImageReader.defaultMaxPixels

    @OptionGroup(title: "Inference servers")
    var remote: RemoteOptions

    @Flag(help: "Do not time the libraries the first time a model runs here; follow the policy order (or earlier measurements).")
    var noTune = false

    @Flag(help: "Print which variant, library and devices were chosen, and why, with the measured table.")
    var explain = false

    @Flag(help: "Print JSON lines (progress, done, skipped) on stdout instead of a progress bar.")
    var json = false

    func validate() throws {
        if let tile, tile < 8 { throw ValidationError("--tile must be at least 8") }
        if let overlap, overlap < 0 { throw ValidationError("--overlap must be 0 or more") }
        if batch < 1 { throw ValidationError("--batch must be at least 1") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        if sessions < 1 { throw ValidationError("--sessions must be at least 1") }
        if !minimumPSNR.isFinite || minimumPSNR < 0 { throw ValidationError("--min-psnr must be a number of dB, 0 or more") }
        if let quality, !(1...100).contains(quality) { throw ValidationError("--quality must be between 1 and 100") }
        if let bits, bits != 8, bits != 16 { throw ValidationError("--bits must be 8 or 16") }
        if maxPixels < 1 { throw ValidationError("--max-pixels must be at least 1") }
        if let format, ImageFormat(pathExtension: format)?.isWritable != true {
            throw ValidationError("--format must be png, jpg, tif, webp or avif")
        }
        try LibraryNames.validate(library)
    }

    func run() async throws {
        let jobs = try UpscaleJobs.plan(inputs: inputs, output: output, format: format)
        let options = upscaleOptions()
        // An oversized input is refused before the models load, not after.
        for job in jobs where !job.skip { try Upscaler.checkPixelCount(of: job.input, options: options) }
        let reporter = UpscaleReporter(json: json)
        // A rerun of a finished batch has nothing to do: no library is loaded for it.
        if jobs.allSatisfy(\.skip) {
            jobs.forEach(reporter.skipped)
            return
        }
        let models = models
        let explain = explain
        let remote = remote
        let localLibraries: Set<BackendID>? = library == "remote" ? [] : nil
        let work = Task {
            let servers = try await remote.connect(for: models[0])
            let backends = BackendCatalog.discover(only: localLibraries).backends + (servers.map { [$0] } ?? [])
            let upscaler = try await Upscaler.load(
                models: models, store: ModelStore(root: Cache.directory), backends: backends,
                options: options, log: { StandardError.write("tessera: \($0)") })
            if explain { upscaler.explanation.forEach { StandardError.write("explain: \($0)") } }
            for job in jobs {
                if job.skip {
                    reporter.skipped(job)
                    continue
                }
                try Task.checkCancellation()
                try FileManager.default.createDirectory(
                    at: job.output.deletingLastPathComponent(), withIntermediateDirectories: true)
                reporter.started(job)
                let report = try await upscaler.upscale(
                    job.input, to: job.output, progress: { reporter.progress(job, $0) },
                    onFailure: { StandardError.write("tessera: \($0)") })
                reporter.done(job, report)
                if explain { upscaler.inFlightSummary.forEach { StandardError.write("explain: \($0)") } }
            }
        }
        try await InterruptHandler.run(work) {
            reporter.interrupted()
        }
    }

    private func upscaleOptions() -> UpscaleOptions {
        var options = UpscaleOptions()
        options.tile = tile
        options.overlap = overlap
        options.batch = batch
        options.region = region?.rect
        options.maxPixels = maxPixels
        options.testTimeAugmentation = tta
        options.stitch = blend ? .blend : .crop
        options.library = library
        options.device = device
        options.allDevices = !singleDevice
        options.sessionsPerDevice = sessions
        options.requestsPerEndpoint = remote.requests
        options.tune = !noTune
        options.minimumPSNR = minimumPSNR
        options.session = SessionOptions(threads: threads, precision: precision, cacheDirectory: Cache.directory)
        options.bitDepth = bits
        if let quality {
            options.write.jpegQuality = quality
            options.write.webpQuality = quality
            options.write.avifQuality = quality
        }
        options.write.webpLossless = lossless
        options.write.avifLossless = lossless
        return options
    }
}

/// `--region x,y,w,h`.
struct RegionOption: ExpressibleByArgument, Sendable {
    var rect: PixelRect

    init?(argument: String) {
        let parts = argument.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 4, parts[0] >= 0, parts[1] >= 0, parts[2] > 0, parts[3] > 0 else { return nil }
        rect = PixelRect(x: parts[0], y: parts[1], width: parts[2], height: parts[3])
    }
}
