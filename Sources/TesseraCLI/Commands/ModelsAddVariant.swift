public import ArgumentParser
import Foundation
public import ModelManifest
import ModelTools
import ONNXModel
import TilePipeline

/// `tessera models add-variant`: a file made on this machine becomes a variant of an installed model.
struct ModelsAddVariant: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add-variant",
        abstract: "Add a model file made here (quantized, float16) to an installed model as a variant.",
        discussion: """
            The file is copied into the model's folder in the cache and the stored manifest \
            gains a variant named <library>-<precision> (any-int8 by default) with the copy's \
            SHA-256, size and operators. It must take the model's input and give its output, \
            by the manifest's names.

            Fast mode (`tessera upscale --precision fast`) then measures the variant beside \
            the float32 one and judges its quality on the photos that ship with Tessera: it is \
            used only when it is faster and stays within --min-psnr of float32. Installing the \
            model's manifest again drops added variants.

            Examples:
              tessera quantize x4.onnx -o x4-int8.onnx --calibration photos/ --per-channel --min-psnr 45
              tessera models add-variant realesr-animevideov3-x4 x4-int8.onnx
              tessera models add-variant realesr-animevideov3-x4 x4-fp16.onnx --precision fp16 --library openvino
            """
    )

    @Argument(help: "The installed model's id, as `tessera models list` shows it.")
    var id: String

    @Argument(help: "The model file to add (.onnx, weights inline).", completion: .file(extensions: ["onnx"]))
    var file: String

    @Option(help: "The file's precision: fp32, fp16 or int8.")
    var precision: ModelManifest.Precision = .int8

    @Option(help: "The library the file is made for: onnxruntime, openvino or reference (default: any).")
    var library: ModelManifest.Library?

    @Flag(help: "Replace a variant of the same name.")
    var replace = false

    func run() async throws {
        let url = URL(fileURLWithPath: file)
        let variant = try Self.add(url, to: id, library: library, precision: precision, replacing: replace)
        print("added \(variant.name) to \(id) (\(Formatting.bytes(variant.bytes)), SHA-256 \(variant.sha256.prefix(12))…)")
    }

    /// Adds `url` with its operator summary; shared with `quantize --add-to`.
    static func add(
        _ url: URL, to id: String, library: ModelManifest.Library?, precision: ModelManifest.Precision, replacing: Bool
    ) throws -> ModelManifest.Variant {
        // A file the summary cannot be read from is refused by the store with its own message.
        let summary = (try? Model(contentsOf: url)).flatMap { model in
            (try? OperatorSchemas.standard()).map { ModelManifest.Summary(model: model, schemas: $0) }
        }
        return try Models.store.addVariant(
            file: url, to: id, library: library, precision: precision, summary: summary, replacing: replacing)
    }
}

extension ModelManifest.Precision: ExpressibleByArgument {}
extension ModelManifest.Library: ExpressibleByArgument {}
