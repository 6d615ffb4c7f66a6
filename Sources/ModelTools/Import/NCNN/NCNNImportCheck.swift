import Foundation
import InferenceRuntime
import ONNXModel
import ReferenceEngine
import TensorCore

/// How an imported upscaler maps input size to output size, measured on the graph itself.
///
/// An input side `n` gives `scale · (n − 2·border)`: the network consumes `border` input pixels
/// on each side (Real-CUGAN crops inside the network; its own program pads its input to make up
/// for it). Sides work when `n ≡ residue (mod alignment)`, for networks that downsample.
public struct NCNNGeometry: Sendable, Hashable {
    public var scale: Int
    public var border: Int
    public var alignment: Int
    public var residue: Int
}

/// Checks an imported graph before anything is written, and measures its ``NCNNGeometry``:
/// shape inference at several input sizes, then one run on the native engine at a small size
/// whose output shape must be the one the `.param` implies.
enum NCNNImportCheck {
    /// The first side measured: larger than twice any border seen in practice (Real-CUGAN's 19).
    private static let probeSide = 64
    private static let alignments = [1, 2, 4, 8, 16, 32]

    /// - Parameters:
    ///   - channels: the input channel count the graph declares (3 when it does not say).
    ///   - expected: the output blob's shape as the `.param` implies it.
    ///   - layerOfNode: the ncnn layer each ONNX node came from, to name it in errors.
    static func measure(
        _ model: Model, input: String, output: String, channels: Int, expected: NCNNBlobShape, paramPath: String,
        layerOfNode: [String: String]
    ) throws(NCNNImportError) -> NCNNGeometry {
        func failure(_ reason: String) -> NCNNImportError {
            let layer = layerOfNode.keys.sorted().last { reason.contains("'\($0)'") }.flatMap { layerOfNode[$0] }
            return .invalidGraph(path: paramPath, layer: layer, reason: reason)
        }
        guard expected.rank == 3 else {
            throw .invalidGraph(
                path: paramPath, layer: nil,
                reason: "the output blob is \(expected.rank)-D; an image model's is 3-D [C, H, W]")
        }
        do {
            let types = try model.inferTypes()
            if let issue = types.issues.first { throw failure("\(issue)") }
        } catch let error as NCNNImportError {
            throw error
        } catch {
            throw failure("\(error)")
        }
        // The first alignment and residue under which four sides infer to outputs growing by one
        // fixed whole factor.
        for alignment in alignments {
            for residue in 0..<alignment {
                let first = aligned(probeSide, alignment: alignment, residue: residue)
                let sides = [first, first + alignment, first + 2 * alignment, first + 32]
                let outputs = sides.compactMap { inferredSide(model, input: input, output: output, channels: channels, side: $0) }
                guard outputs.count == sides.count,
                    let geometry = linear(sides: sides, outputs: outputs, alignment: alignment, residue: residue)
                else { continue }
                // `upscale` feeds tile sides that are multiples of the alignment, plus twice the border.
                guard ((2 * geometry.border - residue) % alignment + alignment) % alignment == 0 else {
                    throw .invalidGraph(
                        path: paramPath, layer: nil,
                        reason: "sides must be \(residue) modulo \(alignment), which tiles padded by twice the border (\(geometry.border)) never are")
                }
                // The native run uses the smallest side that already gives a few output pixels.
                var side = aligned(2 * geometry.border + 4, alignment: alignment, residue: residue)
                while side < first,
                    inferredSide(model, input: input, output: output, channels: channels, side: side)
                        != geometry.scale * (side - 2 * geometry.border)
                {
                    side += alignment
                }
                try run(model, input: input, output: output, channels: channels, side: side, geometry: geometry,
                        expected: expected, failure: failure)
                return geometry
            }
        }
        throw .invalidGraph(
            path: paramPath, layer: nil,
            reason: "no input size gives an output of a whole scale times the input less a fixed border (sides \(probeSide) to \(probeSide + 96) tried)")
    }

    /// The smallest side from `side` up that is `residue` modulo `alignment`.
    private static func aligned(_ side: Int, alignment: Int, residue: Int) -> Int {
        side + ((residue - side % alignment) % alignment + alignment) % alignment
    }

    /// The output side shape inference gives for a square input of `side`, if positive and square.
    private static func inferredSide(_ model: Model, input: String, output: String, channels: Int, side: Int) -> Int? {
        guard let types = try? model.inferTypes(inputShapes: [input: [1, .value(channels), .value(side), .value(side)]]),
            let dims = types.values[output]?.tensorType?.dims, dims.count == 4, let h = dims[2].value, let w = dims[3].value,
            h == w, h > 0
        else { return nil }
        return h
    }

    /// The geometry when `outputs` are `scale · (side − 2·border)` for all `sides`.
    private static func linear(sides: [Int], outputs: [Int], alignment: Int, residue: Int) -> NCNNGeometry? {
        let step = outputs[1] - outputs[0]
        guard step > 0, step % alignment == 0 else { return nil }
        let scale = step / alignment
        let consumed = scale * sides[0] - outputs[0]
        guard consumed >= 0, consumed % (2 * scale) == 0,
            zip(sides, outputs).allSatisfy({ scale * $0 - consumed == $1 })
        else { return nil }
        return NCNNGeometry(scale: scale, border: consumed / (2 * scale), alignment: alignment, residue: residue)
    }

    /// Runs the graph once on the native engine at `side` and compares the output's shape with the
    /// one the `.param` and the geometry imply.
    private static func run(
        _ model: Model, input: String, output: String, channels: Int, side: Int, geometry: NCNNGeometry,
        expected: NCNNBlobShape, failure: (String) -> NCNNImportError
    ) throws(NCNNImportError) {
        let outputSide = geometry.scale * (side - 2 * geometry.border)
        let values = (0..<(channels * side * side)).map { Float(($0 * 37) % 101) / 100 }
        let result: Tensor?
        do {
            let backend = ReferenceBackend()
            let session = try ReferenceSession(
                model: model, device: backend.devices()[0], options: SessionOptions(threads: 1))
            result = try session.run([input: try Tensor(shape: [1, channels, side, side], scalars: values)])[output]
        } catch {
            throw failure("the native engine cannot run it at \(side)×\(side): \(error)")
        }
        let want = [1, expected.outer ?? result?.shape[1] ?? 0, outputSide, outputSide]
        guard let result, result.shape == want else {
            throw failure("at \(side)×\(side) the native engine gives \(result?.shape ?? []) where the .param implies \(want)")
        }
        guard (try? result.scalars(as: Float.self).allSatisfy(\.isFinite)) == true else {
            throw failure("at \(side)×\(side) the native engine's output is not finite")
        }
    }
}
