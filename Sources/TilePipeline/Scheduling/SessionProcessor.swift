import Foundation
public import InferenceRuntime
public import TensorCore

/// Runs tiles through one loaded ``Session``: one (library, device) pair.
public struct SessionProcessor: TileProcessor {
    public let session: any Session
    /// The model input the tile batch feeds.
    public let inputName: String
    /// The model output read back.
    public let outputName: String
    public let scale: Int
    public let margin: Int
    /// Input pixels the model consumes on each side; every batch is mirror-padded by this much.
    public let border: Int
    /// Inputs fed beside the tiles, `[1, …]` each, repeated along the batch axis.
    public private(set) var fedValues: [String: Tensor] = [:]

    /// - Parameters:
    ///   - inputName, outputName: the manifest's names; default to the session's first input and output.
    ///   - scale, margin: the model's upscaling factor and receptive radius, from its manifest.
    ///   - border: the manifest's `tiling.border`: what the model crops from each side.
    /// - Throws: ``TilingError/missingTensor(role:name:available:)`` when the session has no such input or output.
    public init(
        session: any Session, inputName: String? = nil, outputName: String? = nil, scale: Int, margin: Int, border: Int = 0
    ) throws(TilingError) {
        let inputs = session.inputs.map(\.name)
        let outputs = session.outputs.map(\.name)
        guard let input = inputName ?? inputs.first, inputs.contains(input) else {
            throw .missingTensor(role: "input", name: inputName ?? "", available: inputs)
        }
        guard let output = outputName ?? outputs.first, outputs.contains(output) else {
            throw .missingTensor(role: "output", name: outputName ?? "", available: outputs)
        }
        self.session = session
        self.inputName = input
        self.outputName = output
        self.scale = scale
        self.margin = margin
        self.border = border
    }

    public var label: String { session.device.id.rawValue }

    public func feeding(_ values: [String: Tensor]) -> any TileProcessor {
        var fed = self
        let inputs = Set(session.inputs.map(\.name))
        fed.fedValues.merge(values.filter { inputs.contains($0.key) }) { _, new in new }
        return fed
    }

    public func process(batch: Tensor) throws -> Tensor {
        // A model that crops `border` pixels gets them back from the mirror, as its own program
        // pads its input: the output is then exactly `scale` times the batch.
        var inputs = [inputName: border > 0 ? try MirrorPad.padded(batch, border: border) : batch]
        for (name, value) in fedValues { inputs[name] = try Self.repeated(value, count: batch.shape[0]) }
        let outputs = try session.run(inputs)
        guard let output = outputs[outputName] else {
            throw TilingError.missingTensor(role: "output", name: outputName, available: outputs.keys.sorted())
        }
        switch output.dataType {
        case .float32:
            return output
        case .float16:
            // Half-precision models are stitched in float32; widening float16 is exact.
            return try Tensor(shape: output.shape, scalars: try output.doubleValues().map(Float.init))
        default:
            throw TilingError.outputType(processor: label, type: output.dataType)
        }
    }

    /// `value` (batch axis 1) repeated `count` times along the batch axis.
    private static func repeated(_ value: Tensor, count: Int) throws -> Tensor {
        guard count > 1, value.shape.first == 1, let bytes = value.rawBytes else { return value }
        var repeated = Data(capacity: bytes.count * count)
        for _ in 0..<count { repeated.append(bytes) }
        return try Tensor(dataType: value.dataType, shape: [count] + value.shape.dropFirst(), bytes: repeated)
    }
}
