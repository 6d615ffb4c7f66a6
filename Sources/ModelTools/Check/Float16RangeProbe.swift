public import Foundation
public import InferenceRuntime
public import ONNXModel
public import TensorCore

/// Finds activations that float16 cannot hold: every intermediate float tensor is made a graph
/// output, the model runs once on a sample input, and any value beyond ±65504 (float16's largest
/// finite value) is reported with the node that produced it.
///
/// A model that is exact in float32 can turn into infinities and NaNs when converted to float16 or
/// run by a library that computes in float16 (GPU plugins, `--precision fast`).
public struct Float16RangeProbe: Sendable {
    public static let float16Max = 65504.0

    public init() {}

    public func run(
        model: Model, feeds: [String: Tensor], backend: any Backend, device: Device, workDirectory: URL
    ) async -> [Pitfall] {
        let shapes = feeds.mapValues { $0.shape.map(Dim.value) }
        guard let types = try? model.inferTypes(inputShapes: shapes) else {
            return [Pitfall(.probeFailed, .warning, "float16 range: shape inference failed, probe skipped")]
        }
        var exposed = model
        let existing = Set(model.graph.outputs.map(\.name))
        var producers: [String: String] = [:]
        for (index, node) in model.graph.nodes.enumerated() {
            for output in node.outputs where !output.isEmpty && !existing.contains(output) {
                guard let type = types.values[output], type.tensorType?.elementType == .float32 else { continue }
                exposed.graph.outputs.append(ValueInfo(name: output, type: type))
                producers[output] = node.label(index: index)
            }
        }
        for output in model.graph.outputs { producers[output.name] = "output \(output.name)" }
        let file = workDirectory.appendingPathComponent("float16-probe-\(UUID().uuidString).onnx")
        defer { try? FileManager.default.removeItem(at: file) }
        let outputs: [String: Tensor]
        do {
            try exposed.write(to: file, options: SaveOptions(externalData: .inline))
            let session = try await backend.makeSession(
                model: file, device: device, options: SessionOptions(graphOptimization: .disabled, inputShapes: feeds.mapValues(\.shape)))
            outputs = try session.run(feeds)
        } catch {
            return [Pitfall(.probeFailed, .warning, "float16 range: could not run with intermediates exposed on \(device.id): \(error)")]
        }
        var overflowing: [(label: String, peak: Double)] = []
        var largest: (label: String, peak: Double) = ("", 0)
        for (name, tensor) in outputs {
            guard tensor.dataType == .float32, let values = try? tensor.scalars(as: Float.self) else { continue }
            let peak = values.reduce(0.0) { max($0, Double(abs($1))) }
            let label = producers[name] ?? name
            if peak > largest.peak { largest = (label, peak) }
            if peak > Self.float16Max { overflowing.append((label, peak)) }
        }
        guard overflowing.isEmpty else {
            overflowing.sort { $0.peak > $1.peak }
            return [
                Pitfall(
                    .float16Overflow, .error,
                    "\(overflowing.count) tensors exceed float16's range (±65504) on the sample input, up to \(String(format: "%.4g", overflowing[0].peak)): float16 conversion or a float16 device will give infinities",
                    nodes: overflowing.map(\.label))
            ]
        }
        let headroom = largest.peak > 0 ? Self.float16Max / largest.peak : .infinity
        return headroom < 8
            ? [Pitfall(
                .float16Overflow, .warning,
                "largest activation \(String(format: "%.4g", largest.peak)) is within ×\(String(format: "%.1f", headroom)) of float16's limit; brighter or larger inputs may overflow",
                nodes: [largest.label])]
            : []
    }
}
