public import Foundation
public import ModelManifest
public import ONNXModel
import InferenceRuntime

extension NCNNImporter {
    /// The manifest written beside an imported model (schema 1): the measured scale (1 for a graph
    /// that is no upscaler), the graph's
    /// input and output names, tiling with the measured alignment and border, and one variant for any library: the model file beside the manifest, with its
    /// SHA-256, size and operator summary.
    /// - Parameters:
    ///   - modelBytes: the exact bytes of the written `.onnx`.
    ///   - fileName: the `.onnx` file's name in its folder.
    public static func manifest(
        for result: Result, modelBytes: Data, fileName: String, precision: ModelManifest.Precision, schemas: OperatorSchemas
    ) -> ModelManifest {
        let stem = (fileName as NSString).deletingPathExtension
        let variant = ModelManifest.Variant(
            describing: modelBytes, file: ModelManifest.sanitizedName(fileName) ?? "model.onnx",
            url: fileName.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? fileName, precision: precision,
            summary: ModelManifest.Summary(model: result.model, schemas: schemas))
        // Tiles must have sides the network accepts once `upscale` has padded them by the border.
        // A network that consumes a border sees exactly that far: the tiles' shared context must
        // reach as far for a tiled run to equal a whole-image one.
        let geometry = result.geometry ?? NCNNGeometry(scale: 1, border: 0, alignment: 1, residue: 0)
        var tiling = ModelManifest.Tiling(multipleOf: geometry.alignment)
        tiling.overlap = max(tiling.overlap, geometry.border)
        tiling.border = geometry.border > 0 ? geometry.border : nil
        return ModelManifest(
            id: ModelManifest.sanitizedName(stem) ?? "model", scale: geometry.scale,
            input: ModelManifest.Endpoint(name: result.inputName), output: ModelManifest.Endpoint(name: result.outputName),
            tiling: tiling, variants: [variant])
    }

    /// Imports and writes `output` (the model) and its manifest beside it (`.json` extension).
    ///
    /// Everything is built and serialized before the first byte is written, and both files are
    /// written atomically, so a failed import leaves no partial output behind.
    public static func importAndWrite(
        param: URL, weights: URL, output: URL, options: NCNNImportOptions = NCNNImportOptions()
    ) throws(NCNNImportError) -> (result: Result, manifest: ModelManifest) {
        let result = try importModel(param: param, weights: weights, options: options)
        let manifestURL = output.deletingPathExtension().appendingPathExtension("json")
        let modelBytes: Data
        do { modelBytes = try result.model.serializedBytes() } catch { throw .unwritable(path: output.path, reason: "\(error)") }
        let manifest: ModelManifest
        let manifestData: Data
        do {
            manifest = Self.manifest(
                for: result, modelBytes: modelBytes, fileName: output.lastPathComponent,
                precision: options.float16Weights ? .fp16 : .fp32, schemas: try OperatorSchemas.standard())
            try manifest.validate(source: manifestURL.path)
            manifestData = try manifest.jsonData()
        } catch {
            throw .unwritable(path: manifestURL.path, reason: "\(error)")
        }
        do { try modelBytes.write(to: output, options: .atomic) } catch {
            throw .unwritable(path: output.path, reason: error.localizedDescription)
        }
        do { try manifestData.write(to: manifestURL, options: .atomic) } catch {
            // Without its manifest the model is half an import: take it back.
            try? FileManager.default.removeItem(at: output)
            throw .unwritable(path: manifestURL.path, reason: error.localizedDescription)
        }
        return (result, manifest)
    }
}

extension ModelManifest.Summary {
    /// The opsets and the operators of `model`'s main graph, keyed as capability checks key them
    /// (``ModelSummary``: the since-version in force at the model's opset).
    public init(model: Model, schemas: OperatorSchemas) {
        let summary = ModelSummary(model: model, schemas: schemas)
        func spelled(_ domain: String) -> String { domain.isEmpty ? "ai.onnx" : domain }
        let entries = Set(summary.nodes.map { node in
            ModelManifest.OperatorEntry(domain: spelled(node.key.domain), type: node.key.type, sinceVersion: node.key.sinceVersion)
        })
        self.init(
            irVersion: Int(model.irVersion),
            opsets: Dictionary(summary.opsets.map { (spelled($0.key), $0.value) }, uniquingKeysWith: { first, _ in first }),
            operators: entries.sorted())
    }
}
