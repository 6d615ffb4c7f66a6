import Foundation
import InferenceRuntime
import ONNXModel

/// A model that pools over its whole input (Real-CUGAN's squeeze-excitation blocks average each
/// feature map to one value per channel), split so that tiles agree on what they pool.
///
/// Cut into tiles, such a model would pool over each tile alone and every tile would come out in
/// a slightly different tone. Instead, as Real-CUGAN's own program does by default (its sync-gap
/// mode 3), one run of the model on the whole image, reduced until it fits one tile, gives every
/// pooled value (``probe``, the model with those values as extra outputs), and the tiles run a
/// model that takes them as inputs (``fed``, the pooling nodes removed). An image that fits one
/// tile is not reduced, and its pooled values are exactly those of a whole-image run.
struct GlobalPooling: Sendable {
    /// The pooling nodes' outputs, `[N, C, 1, 1]` each, in graph order.
    let values: [ValueInfo]
    /// The model with ``values`` as extra graph outputs.
    let probe: Model
    /// The model with the pooling nodes removed and ``values`` as extra graph inputs.
    let fed: Model

    static let operators: Set<String> = ["GlobalAveragePool", "GlobalMaxPool", "GlobalLpPool"]

    /// `nil` when `model` has no global pooling node.
    init?(model: Model) {
        let isPooling = { (node: Node) in
            Self.operators.contains(node.opType) && (node.domain.isEmpty || node.domain == "ai.onnx") && node.outputs.count == 1
        }
        let pools = model.graph.nodes.filter(isPooling)
        guard !pools.isEmpty else { return nil }
        let types = try? model.inferTypes()
        let values = pools.map { node in
            let name = node.outputs[0]
            // The batch axis stays open so a batch of tiles can share the values.
            let channels = types?.values[name]?.tensorType?.dims?.dropFirst().first
            return ValueInfo(name: name, type: .tensor(.float32, [.symbol("N"), channels ?? .symbol("C"), 1, 1]))
        }
        self.values = values
        var probe = model
        probe.graph.outputs += values
        self.probe = probe
        var fed = model
        fed.graph.nodes.removeAll(where: isPooling)
        fed.graph.inputs += values
        let names = Set(values.map(\.name))
        fed.graph.valueInfo.removeAll { names.contains($0.name) }
        self.fed = fed
    }

    /// Which of the two models a file holds.
    enum Role: String, Sendable {
        case probe, fed
    }

    /// The file a library loads `role` of the model in `source` from: kept in `directory` by the
    /// source's digest and written once, so later runs (and a library's compiled-model cache,
    /// keyed by path) find it again.
    static func file(_ role: Role, of source: URL, in directory: URL) throws -> URL {
        let digest = try FileDigest.sha256(of: source, rememberedIn: directory)
        let folder = directory.appendingPathComponent("derived", isDirectory: true)
        let file = folder.appendingPathComponent("\(digest.prefix(24))-pooling-\(role.rawValue).onnx")
        if FileManager.default.fileExists(atPath: file.path) { return file }
        guard let pooling = GlobalPooling(model: try Model(contentsOf: source)) else {
            throw UpscaleError.unsupportedModel(model: source.path, reason: "it has no global pooling node to split")
        }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try (role == .probe ? pooling.probe : pooling.fed).write(to: file, options: SaveOptions(externalData: .inline))
        return file
    }
}
