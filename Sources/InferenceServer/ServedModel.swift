import Foundation
import InferenceProtocol
import InferenceRuntime

/// One installed model, loaded on the devices Tessera's selection chose for it.
struct ServedModel: Sendable {
    var name: String
    var pool: SessionPool
    var metadata: ModelMetadata
    /// The whole-image path, where the loader offers one.
    var upscaleImage: (@Sendable (Data) async throws -> UpscaledImage)?

    init(name: String, loaded: LoadedModel) {
        self.name = name
        let sessions = loaded.sessions
        pool = SessionPool(sessions: sessions)
        upscaleImage = loaded.upscaleImage
        func describe(_ tensor: TensorDescription) -> TensorMetadata {
            TensorMetadata(
                name: tensor.name, datatype: tensor.dataType.inferenceProtocolName ?? tensor.dataType.onnxName,
                shape: tensor.dims.map { $0 ?? -1 })
        }
        let first = sessions.first
        metadata = ModelMetadata(
            name: name, versions: ["1"], platform: "tessera",
            inputs: (first?.inputs ?? []).map(describe), outputs: (first?.outputs ?? []).map(describe))
    }
}
