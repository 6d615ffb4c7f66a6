import Foundation
public import InferenceRuntime
public import ONNXModel
public import TensorCore

/// Runs the float model on the calibration inputs with the tensors to be quantized exposed as
/// outputs, and chooses each tensor's range with the requested method.
///
/// It runs on ONNX Runtime's CPU device when that library is present (fast), else on the
/// reference engine, which is always there.
public struct Calibrator: Sendable {
    private let backends: [any Backend]

    public init(backends: [any Backend]) {
        self.backends = backends
    }

    /// The library the calibration runs on: ONNX Runtime's CPU device, else the reference engine.
    public func device() throws(QuantizeError) -> (backend: any Backend, device: Device) {
        for id in [BackendID.onnxRuntime, .reference] {
            guard let backend = backends.first(where: { $0.id == id }),
                let device = backend.devices().first(where: { $0.kind == .cpu })
            else { continue }
            return (backend, device)
        }
        throw .calibrationFailed(engine: "any library", reason: "neither ONNX Runtime nor the reference engine is available")
    }

    /// The range of every tensor in `tensors` over all `feeds`; `symmetric` tells the MSE method
    /// that ranges will be made symmetric around 0 (the others ignore it).
    public func ranges(
        model: Model, tensors: [String], feeds: [[String: Tensor]], method: QuantizationOptions.Method,
        symmetric: Bool = false
    ) async throws(QuantizeError) -> [String: ClosedRange<Float>] {
        let (backend, device) = try device()
        let engine = device.id.rawValue
        var exposed = model
        // Graph inputs are read from the feeds themselves.
        let existing = Set(model.graph.outputs.map(\.name) + model.graph.inputs.map(\.name))
        for name in tensors where !existing.contains(name) {
            exposed.graph.outputs.append(ValueInfo(name: name, type: .tensor(.float32, nil)))
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-calibration-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let session: any Session
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let file = folder.appendingPathComponent("calibration.onnx")
            try exposed.write(to: file, options: SaveOptions(externalData: .inline))
            let options = SessionOptions(graphOptimization: .disabled, inputShapes: feeds.first?.mapValues(\.shape) ?? [:])
            session = try await backend.makeSession(model: file, device: device, options: options)
        } catch {
            throw .calibrationFailed(engine: engine, reason: "\(error)")
        }
        // A first pass finds each tensor's extremes; the histogram methods need a second pass
        // with those extremes as the histogram's bounds.
        var seen: [String: ClosedRange<Float>] = [:]
        try observe(session, feeds, engine: engine) { name, values in
            var low = Float.infinity
            var high = -Float.infinity
            values.withUnsafeBufferPointer { buffer in
                for value in buffer where value.isFinite {
                    low = min(low, value)
                    high = max(high, value)
                }
            }
            guard low <= high else { return }
            seen[name] = seen[name].map { min($0.lowerBound, low)...max($0.upperBound, high) } ?? low...high
        }
        if method == .minmax { return seen.filter { tensors.contains($0.key) } }
        var histograms = seen.mapValues { ActivationHistogram(bound: max(-$0.lowerBound, $0.upperBound)) }
        try observe(session, feeds, engine: engine) { name, values in histograms[name]?.add(values) }
        var ranges: [String: ClosedRange<Float>] = [:]
        for name in tensors {
            guard let histogram = histograms[name], let extremes = seen[name] else { continue }
            switch method {
            case .percentile: ranges[name] = histogram.percentileRange(Self.percentile, seen: extremes)
            case .entropy: ranges[name] = histogram.entropyRange()
            case .mse: ranges[name] = histogram.mseRange(seen: extremes, steps: symmetric ? 254 : 255, symmetric: symmetric)
            case .minmax: ranges[name] = extremes
            }
        }
        return ranges
    }

    /// ONNX Runtime's default for its Percentile calibrator.
    static let percentile = 99.999

    private func observe(
        _ session: any Session, _ feeds: [[String: Tensor]], engine: String, _ visit: (String, [Float]) -> Void
    ) throws(QuantizeError) {
        for feed in feeds {
            let outputs: [String: Tensor]
            do { outputs = try session.run(feed) } catch { throw .calibrationFailed(engine: engine, reason: "\(error)") }
            for (name, tensor) in outputs {
                guard tensor.dataType == .float32, let values = try? tensor.scalars(as: Float.self) else { continue }
                visit(name, values)
            }
            for (name, tensor) in feed {
                guard tensor.dataType == .float32, let values = try? tensor.scalars(as: Float.self) else { continue }
                visit(name, values)
            }
        }
    }
}
