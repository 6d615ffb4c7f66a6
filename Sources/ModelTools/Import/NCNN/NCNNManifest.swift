public import Foundation

/// The `OUT.json` manifest written beside an imported upscaler (schema 1, see DESIGN.md).
public struct UpscaleManifest: Codable, Sendable, Equatable {
    public struct Endpoint: Codable, Sendable, Equatable {
        public var name: String
        public var layout = "NCHW"
        public var channels = "RGB"
        public var range: [Double] = [0, 1]
        public var type = "float32"
    }

    public struct Tiling: Codable, Sendable, Equatable {
        public var multipleOf = 1
        public var overlap = 16
        public var minTile = 32
        public var maxTile = 1024
    }

    public var schema = 1
    public var id: String
    public var task = "upscale"
    /// Output size ÷ input size; nil when the graph does not scale by a constant.
    public var scale: Double?
    public var input: Endpoint
    public var output: Endpoint
    public var tiling = Tiling()

    /// The manifest for an imported model called `id`.
    public init(id: String, result: NCNNImporter.Result) {
        self.id = id
        self.scale = result.scale
        self.input = Endpoint(name: result.inputName)
        self.output = Endpoint(name: result.outputName)
    }

    /// Pretty, key-sorted JSON; an integral scale prints as an integer (`4`, not `4.0`).
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }
}

extension NCNNImporter {
    /// Imports and writes `output` (the model) and its manifest beside it (`.json` extension).
    ///
    /// Everything is built and serialized before the first byte is written, and both files are
    /// written atomically, so a failed import leaves no partial output behind.
    public static func importAndWrite(
        param: URL, weights: URL, output: URL, options: NCNNImportOptions = NCNNImportOptions()
    ) throws(NCNNImportError) -> (result: Result, manifest: UpscaleManifest) {
        let result = try importModel(param: param, weights: weights, options: options)
        let id = output.deletingPathExtension().lastPathComponent
        let manifest = UpscaleManifest(id: id, result: result)
        let manifestURL = output.deletingPathExtension().appendingPathExtension("json")
        let manifestData: Data
        do { manifestData = try manifest.jsonData() } catch {
            throw .unwritable(path: manifestURL.path, reason: "\(error)")
        }
        do { try result.model.write(to: output) } catch {
            throw .unwritable(path: output.path, reason: "\(error.error)")
        }
        do { try manifestData.write(to: manifestURL, options: .atomic) } catch {
            // Without its manifest the model is half an import: take it back.
            try? FileManager.default.removeItem(at: output)
            throw .unwritable(path: manifestURL.path, reason: error.localizedDescription)
        }
        return (result, manifest)
    }
}
