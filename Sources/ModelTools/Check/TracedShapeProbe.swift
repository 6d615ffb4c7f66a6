public import Foundation
public import InferenceRuntime
public import ONNXModel
import TensorCore

/// Finds dimensions that tracing baked in as constants: runs the model at two input sizes and
/// checks that each image-like output follows the input, as a convolutional network's must.
///
/// An exporter that traces a network with a 64×64 example may store `64` (or `256` after a 4×
/// upsampling) in a Reshape or Resize instead of reading the size from the input; the model then
/// still loads with dynamic dimensions but fails, or silently returns 256×256, at any other size.
public struct TracedShapeProbe: Sendable {
    /// The two spatial sizes tried, (height, width); different in both axes and in aspect.
    public var sizes: [(height: Int, width: Int)] = [(64, 64), (96, 80)]

    public init() {}

    /// Runs the probe on `device`; returns nothing when the model has no dynamic spatial input.
    public func run(model url: URL, interface: [ValueInfo], backend: any Backend, device: Device) async -> [Pitfall] {
        let spatial = interface.filter { input in
            let dims = input.type?.tensorType?.dims ?? []
            return dims.count == 4 && (dims[2].value == nil || dims[3].value == nil)
        }
        guard !spatial.isEmpty else { return [] }
        var runs: [[String: Tensor]] = []
        for (index, size) in sizes.enumerated() {
            var feeds: [String: Tensor] = [:]
            do {
                for input in interface {
                    let dims = input.type?.tensorType?.dims ?? []
                    let shape = dims.enumerated().map { axis, dim in
                        dim.value ?? (axis == 0 ? 1 : axis == 2 ? size.height : axis == 3 ? size.width : 1)
                    }
                    feeds[input.name] = try Tensor.random(input.type?.tensorType?.elementType ?? .float32, shape: shape, seed: 7)
                }
                let session = try await backend.makeSession(
                    model: url, device: device, options: SessionOptions(inputShapes: feeds.mapValues { $0.shape }))
                runs.append(try session.run(feeds))
            } catch {
                guard index > 0 else {
                    return [Pitfall(.probeFailed, .warning, "could not run at \(size.height)×\(size.width) on \(device.id): \(error)")]
                }
                return [
                    Pitfall(
                        .tracedConstant, .error,
                        "runs at \(sizes[0].height)×\(sizes[0].width) but fails at \(size.height)×\(size.width): a shape stored as a constant when the model was traced? (\(error))",
                        nodes: suspects(in: url))
                ]
            }
        }
        return compare(runs[0], runs[1])
    }

    /// Outputs whose height or width does not scale with the input's.
    private func compare(_ first: [String: Tensor], _ second: [String: Tensor]) -> [Pitfall] {
        var pitfalls: [Pitfall] = []
        for name in first.keys.sorted() {
            guard let a = first[name]?.shape, let b = second[name]?.shape, a.count == 4, b.count == 4 else { continue }
            for (axis, label) in [(2, "height"), (3, "width")] {
                let inputA = axis == 2 ? sizes[0].height : sizes[0].width
                let inputB = axis == 2 ? sizes[1].height : sizes[1].width
                if a[axis] == b[axis], a[axis] > 1, inputA != inputB {
                    pitfalls.append(Pitfall(
                        .tracedConstant, .error,
                        "output '\(name)' \(label) stays \(a[axis]) while the input \(label) goes from \(inputA) to \(inputB): a size stored as a constant when the model was traced"))
                } else if a[axis] * inputB != b[axis] * inputA, a[axis] > 1 || b[axis] > 1 {
                    pitfalls.append(Pitfall(
                        .tracedConstant, .warning,
                        "output '\(name)' \(label) is \(a[axis]) for \(inputA) and \(b[axis]) for \(inputB) input pixels: it does not scale with the input"))
                }
            }
        }
        return pitfalls
    }

    /// Nodes that take a constant shape or size (Reshape, Resize, Expand, ConstantOfShape), the
    /// usual places a traced size hides; named to help find the culprit.
    private func suspects(in url: URL) -> [String] {
        guard let model = try? Model(contentsOf: url) else { return [] }
        let constants = Set(model.graph.initializers.map(\.name))
            .union(model.graph.nodes.filter { $0.opType == "Constant" }.flatMap(\.outputs))
        let shapeInput = ["Reshape": 1, "Resize": 3, "Expand": 1, "ConstantOfShape": 0, "Upsample": 1]
        return model.graph.nodes.enumerated().compactMap { index, node in
            guard let position = shapeInput[node.opType], position < node.inputs.count, constants.contains(node.inputs[position])
            else { return nil }
            return node.label(index: index)
        }
    }
}
