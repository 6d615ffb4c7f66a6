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
/// whose output shape must be the one the `.param` implies. The run's input is a smooth mid-grey
/// ramp, so its output's level also tells a residual network from an upscaler.
enum NCNNImportCheck {
    /// What the check measures on an image-to-image network.
    struct Measurement: Sendable, Hashable {
        var geometry: NCNNGeometry
        var levels: NCNNProbeLevels
    }

    /// The first side measured for an upscaler: above twice any border seen (Real-CUGAN's 19).
    private static let probeSide = 64
    private static let alignments = [1, 2, 4, 8, 16, 32]

    /// - Parameters:
    ///   - declaredChannels: the input channel count the graph declares, if it does.
    ///   - expected: the output blob's shape as the `.param` implies it.
    ///   - layerOfNode: the ncnn layer each ONNX node came from, to name it in errors.
    /// - Returns: the geometry and probe levels of an image-to-image network; `nil` for other
    ///   graphs (a classifier, a fixed output size), which are still checked by one native run.
    static func check(
        _ model: Model, input: String, output: String, declaredChannels: Int?, expected: NCNNBlobShape, paramPath: String,
        layerOfNode: [String: String]
    ) throws(NCNNImportError) -> Measurement? {
        func failure(_ reason: String) -> NCNNImportError {
            let layer = layerOfNode.keys.sorted().last { reason.contains("'\($0)'") }.flatMap { layerOfNode[$0] }
            return .invalidGraph(path: paramPath, layer: layer, reason: reason)
        }
        do {
            let types = try model.inferTypes()
            if let issue = types.issues.first { throw failure("\(issue)") }
        } catch let error as NCNNImportError {
            throw error
        } catch {
            throw failure("\(error)")
        }
        // An Input layer that does not say its channels, and no convolution reading it, leaves
        // them open: the counts the shapes work out for are tried in turn.
        let counts = declaredChannels.map { [$0] } ?? [3, 1, 2, 4, 8, 16, 32, 64]
        let probes = counts.map { Probe(model: model, input: input, output: output, channels: $0) }
            .filter { probe in probeSizes.contains { probe.infers($0) } }
        guard !probes.isEmpty else {
            throw failure("no input from 8×8 to \(probeSide)×\(probeSide + 1) pixels gives the output a valid shape")
        }
        if expected.rank == 3 {
            for probe in probes {
                guard let geometry = try geometry(probe, paramPath: paramPath) else { continue }
                // The native run uses the smallest side that already gives a few output pixels.
                var side = aligned(2 * geometry.border + 4, alignment: geometry.alignment, residue: geometry.residue)
                while side < probeSide, probe.outputSide(side) != geometry.scale * (side - 2 * geometry.border) {
                    side += geometry.alignment
                }
                let outputSide = geometry.scale * (side - 2 * geometry.border)
                let (input, output) = try run(
                    probe, size: Size(height: side, width: side),
                    expected: NCNNBlobShape(sizes: [expected.outer, outputSide, outputSide]), failure: failure)
                return Measurement(geometry: geometry, levels: try levels(input: input, output: output, failure: failure))
            }
        }
        // Any other graph must run once, at the first channel count and size its shapes allow
        // (shape inference cannot settle every size a graph computes at run time).
        var firstError: NCNNImportError?
        var attempts = 0
        for probe in probes {
            for size in probeSizes where attempts < 4 && probe.infers(size) {
                attempts += 1
                do {
                    _ = try run(probe, size: size, expected: expected, failure: failure)
                    return nil
                } catch {
                    firstError = firstError ?? error
                }
            }
        }
        throw firstError ?? failure("no input gives the output a valid shape")
    }

    /// The most the values of the check's native run may take, all counted as live: far above any
    /// image model at the few pixels the run uses, far below what would exhaust a desktop.
    private static let runBudget = 512 << 20

    /// Sizes tried for a graph that is no upscaler: squares, and one column wider for graphs that
    /// need height and width to differ.
    private static let probeSizes = (8...probeSide).flatMap { [Size(height: $0, width: $0), Size(height: $0, width: $0 + 1)] }

    struct Size {
        var height: Int
        var width: Int
    }

    /// The first alignment and residue under which four sides infer to outputs growing by one
    /// fixed whole factor; `nil` when the output does not grow with the input that way.
    private static func geometry(_ probe: Probe, paramPath: String) throws(NCNNImportError) -> NCNNGeometry? {
        for alignment in alignments {
            for residue in 0..<alignment {
                let first = aligned(probeSide, alignment: alignment, residue: residue)
                let sides = [first, first + alignment, first + 2 * alignment, first + 32]
                let outputs = sides.compactMap { probe.outputSide($0) }
                guard outputs.count == sides.count,
                    let geometry = linear(sides: sides, outputs: outputs, alignment: alignment, residue: residue)
                else { continue }
                // `upscale` feeds tile sides that are multiples of the alignment, plus twice the border.
                guard ((2 * geometry.border - residue) % alignment + alignment) % alignment == 0 else {
                    throw .invalidGraph(
                        path: paramPath, layer: nil,
                        reason: "sides must be \(residue) modulo \(alignment), which tiles padded by twice the border (\(geometry.border)) never are")
                }
                return geometry
            }
        }
        return nil
    }

    /// The smallest side from `side` up that is `residue` modulo `alignment`.
    private static func aligned(_ side: Int, alignment: Int, residue: Int) -> Int {
        side + ((residue - side % alignment) % alignment + alignment) % alignment
    }

    /// Shape inference of the graph at concrete square input sides.
    private struct Probe {
        let model: Model
        let input: String
        let output: String
        let channels: Int

        /// The output's dims for an input of `size`, when every one is known and positive.
        func outputShape(_ size: Size) -> [Int]? {
            let dims: [Dim] = [1, .value(channels), .value(size.height), .value(size.width)]
            guard let types = try? model.inferTypes(inputShapes: [input: dims]),
                let dims = types.values[output]?.tensorType?.dims
            else { return nil }
            let values = dims.compactMap(\.value)
            return values.count == dims.count && values.allSatisfy({ $0 > 0 }) ? values : nil
        }

        /// What makes the values of a run at `size` exceed `budget` bytes, if they do: the input or
        /// the node whose output is largest, with its size. Every value shape inference knows is
        /// counted, as though none were freed, so the bound holds before any byte is allocated.
        func largestValue(_ size: Size, over budget: Int) -> String? {
            let dims: [Dim] = [1, .value(channels), .value(size.height), .value(size.width)]
            guard let types = try? model.inferTypes(inputShapes: [input: dims]) else { return nil }
            func bytes(_ name: String) -> Int? {
                guard let type = types.values[name]?.tensorType, let dims = type.dims else { return nil }
                let count = dims.reduce(Int?(1)) { product, dim in
                    guard let product, let value = dim.value, value >= 0 else { return nil }
                    let (result, overflow) = product.multipliedReportingOverflow(by: value)
                    return overflow ? Int.max : result
                }
                guard let count else { return nil }
                return (try? (type.elementType ?? .float32).byteCount(forElements: count)) ?? Int.max
            }
            var total = bytes(input) ?? 0
            var largest = (name: "the input '\(input)'", bytes: total)
            for node in model.graph.nodes {
                for output in node.outputs where !output.isEmpty {
                    guard let count = bytes(output) else { continue }
                    total = total > Int.max - count ? Int.max : total + count
                    if count > largest.bytes { largest = ("'\(node.name)'", count) }
                }
            }
            guard total > budget else { return nil }
            return "\(largest.name) alone \(largest.bytes == Int.max ? "overflows" : "\(largest.bytes >> 20) MiB")"
        }

        /// Whether shape inference accepts an input of `size` and gives the output a rank.
        func infers(_ size: Size) -> Bool {
            let dims: [Dim] = [1, .value(channels), .value(size.height), .value(size.width)]
            guard let types = try? model.inferTypes(inputShapes: [input: dims]), types.issues.isEmpty else { return false }
            return types.values[output]?.tensorType?.dims != nil
        }

        /// The output side of an image output for a square input of `side`, if square.
        func outputSide(_ side: Int) -> Int? {
            guard let dims = outputShape(Size(height: side, width: side)), dims.count == 4, dims[2] == dims[3] else { return nil }
            return dims[2]
        }
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

    /// Runs the graph once on the native engine at `size` and returns its input and output; the
    /// output must have the blob's rank (plus the batch axis) and every size `expected` knows.
    ///
    /// The input ramps from 0.3 to 0.7 across rows and columns alike in every channel: mid-grey on
    /// average, inside any activation's useful range, and with the same mean over any centred crop.
    private static func run(
        _ probe: Probe, size: Size, expected: NCNNBlobShape, failure: (String) -> NCNNImportError
    ) throws(NCNNImportError) -> (input: Tensor, output: Tensor) {
        func ramp(_ index: Int, _ count: Int) -> Float { count > 1 ? 0.2 * Float(index) / Float(count - 1) : 0.1 }
        let side = "\(size.width)×\(size.height)"
        if let excess = probe.largestValue(size, over: runBudget) {
            throw failure(
                "at \(side) its values would take more than \(runBudget >> 20) MiB (\(excess)); a .param whose small inputs need so much is not an image model")
        }
        let plane = (0..<size.height).flatMap { y in (0..<size.width).map { x in 0.3 + ramp(y, size.height) + ramp(x, size.width) } }
        let values = Array([[Float]](repeating: plane, count: probe.channels).joined())
        let tensor: Tensor
        let result: Tensor?
        do {
            let backend = ReferenceBackend()
            let session = try ReferenceSession(model: probe.model, device: backend.devices()[0], options: SessionOptions(threads: 1))
            tensor = try Tensor(shape: [1, probe.channels, size.height, size.width], scalars: values)
            result = try session.run([probe.input: tensor])[probe.output]
        } catch {
            throw failure("the native engine cannot run it at \(side): \(error)")
        }
        let implied = "[1, " + expected.sizes.map { $0.map(String.init) ?? "?" }.joined(separator: ", ") + "]"
        guard let result, result.shape.count == expected.rank + 1,
            zip(result.shape.dropFirst(), expected.sizes).allSatisfy({ actual, known in known == nil || known == actual })
        else {
            throw failure("at \(side) the native engine gives \(result?.shape ?? []) where the .param implies \(implied)")
        }
        return (tensor, result)
    }

    /// The means of a native run's input and image output, channels compared.
    private static func levels(
        input: Tensor, output: Tensor, failure: (String) -> NCNNImportError
    ) throws(NCNNImportError) -> NCNNProbeLevels {
        func mean(_ tensor: Tensor) throws(NCNNImportError) -> Double {
            let scalars: [Float]
            do { scalars = try tensor.scalars(as: Float.self) } catch { throw failure("the native engine's output is not float32: \(error)") }
            return scalars.reduce(0.0) { $0 + Double($1) } / Double(max(scalars.count, 1))
        }
        return NCNNProbeLevels(
            inputMean: try mean(input), outputMean: try mean(output), inputChannels: input.shape[1], outputChannels: output.shape[1])
    }
}
