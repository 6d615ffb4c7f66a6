import ArgumentParser
import Foundation
import ModelManifest
import Tessera
import TilePipeline

/// `tessera models install`: copies a manifest into the store and fetches the variant to use.
struct ModelsInstall: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install",
        abstract: "Install a model from its manifest and fetch the variant this machine would use.",
        discussion: """
            The variant is chosen before anything is downloaded: for each library and device \
            this machine has (in the order `tessera run` tries them), the manifest's variants \
            are tried by precision (fp16 first on a GPU or with OpenVINO, fp32 first otherwise) \
            and the first one the library may run, whose required library version and memory \
            are met, and whose listed operators the library supports, is fetched. --variant \
            fetches a named variant instead; --no-fetch only installs the manifest.

            Once fetched, the model is timed on every library and device that can run it, at \
            the tile `tessera upscale` will use, and the measurements are kept: the first \
            upscale then starts on the fastest pair without measuring (--no-tune skips this; \
            the first upscale measures instead).

            Relative variant URLs are resolved against the manifest's own location, so a \
            manifest and its model can sit side by side, locally or on a web server. A fetch \
            is checked for its size and SHA-256; a mismatch removes the file and is an error. \
            Run the same command again to resume an interrupted fetch.

            Examples:
              tessera models install fixtures/models/realesr-animevideov3-x4.json
              tessera models install https://example.com/models/x4.json --explain
              tessera models install x4.json --variant openvino-fp16
              tessera models install x4.json --library onnxruntime
            """
    )

    @Argument(help: ArgumentHelp("The manifest: a file path or an http(s) URL.", valueName: "manifest.json|url"))
    var manifest: String

    @Option(help: ArgumentHelp("Fetch this variant (its name in `tessera models list`, e.g. any-fp32).", valueName: "name"))
    var variant: String?

    @Option(help: "Choose for this library only: onnxruntime, openvino or reference.")
    var library: String?

    @Option(help: "Choose for this device only: an id (openvino:CPU), a route (GPU.0) or a kind (cpu, gpu).")
    var device: String?

    @Flag(help: "Install the manifest without fetching any variant.")
    var noFetch = false

    @Flag(help: "Do not time the libraries and devices after fetching.")
    var noTune = false

    @Flag(help: "Print why the variant was chosen, and the measured table.")
    var explain = false

    func validate() throws {
        try LibraryNames.validate(library)
        if noFetch, variant != nil { throw ValidationError("--no-fetch and --variant exclude each other") }
    }

    func run() async throws {
        let store = Models.store
        let installed = try await store.install(manifestAt: Self.location(of: manifest))
        print("installed \(installed.id) (×\(installed.manifest.scale)) in \(installed.directory.path)")
        if noFetch { return }

        let chosen: ModelManifest.Variant
        if let variant {
            guard let named = installed.manifest.variant(named: variant) else {
                throw ModelStoreError.noSuchVariant(id: installed.id, variant: variant, available: installed.manifest.variants.map(\.name))
            }
            chosen = named
        } else {
            let choice = VariantChoice(
                manifest: installed.manifest, backends: BackendCatalog.discover().backends, library: library, device: device)
            if explain { choice.explanation.forEach { StandardError.write("explain: \($0)") } }
            guard let pick = choice.pick else { throw NoVariant(id: installed.id, explanation: choice.explanation) }
            chosen = pick.variant
        }
        if installed.isFetched(chosen) {
            print("\(chosen.name) is already fetched: \(installed.fileURL(for: chosen).path)")
        } else {
            let line = ModelsProgressLine(label: "fetching \(chosen.file)")
            let file: URL
            do {
                file = try await store.fetch(installed.id, variant: chosen.name, progress: line.isShown ? line.update : nil)
                line.finish()
            } catch {
                line.finish()
                throw error
            }
            print("fetched \(chosen.name) (\(Formatting.bytes(chosen.bytes)), SHA-256 verified): \(file.path)")
        }
        // A named variant may not be the one upscale picks: only the automatic choice is timed.
        if !noTune, variant == nil { try await measure(installed.id, in: store) }
    }

    /// Times the pairs as `tessera upscale` with default settings will, keeping the result.
    private func measure(_ id: String, in store: ModelStore) async throws {
        var options = UpscaleOptions()
        options.library = library
        options.device = device
        options.session = SessionOptions(cacheDirectory: Cache.directory)
        let lines = try await Upscaler.measure(
            models: [id], store: store, backends: BackendCatalog.discover().backends, options: options,
            log: { StandardError.write("tessera: \($0)") })
        if explain { lines.forEach { StandardError.write("explain: \($0)") } }
    }

    /// A URL as given, or a file path made a file URL.
    static func location(of text: String) -> URL {
        if let url = URL(string: text), let scheme = url.scheme?.lowercased(), ["http", "https", "file"].contains(scheme) {
            return url
        }
        return URL(fileURLWithPath: text)
    }

    /// No variant fits: the manifest stays installed, and the reasons are in the message.
    struct NoVariant: Error, CustomStringConvertible {
        var id: String
        var explanation: [String]
        var description: String {
            "installed \(id), but no variant fits this machine: " + explanation.joined(separator: "; ")
        }
    }
}
