import Foundation
import InferenceRuntime
import ONNXModel
import TensorCore

/// Finds the quantized model with the fewest layers kept float that reaches a quality floor on
/// held-back inputs, by measurement on the calibration engine:
///
/// 1. every layer integer; done if it reaches the floor;
/// 2. leave-one-out sensitivity: each layer alone kept float, its gain in dB over step 1;
/// 3. layers kept float in order of sensitivity until the floor is reached;
/// 4. each float layer, least sensitive first, made integer again where the floor still holds
///    (interactions between layers can make an early choice unnecessary).
///
/// Fewer float layers is taken as faster: each float convolution costs its float time plus a
/// dequantize and a quantize, and on OpenVINO it also breaks the int8 block around it.
struct FloorSearch {
    /// One candidate's quality.
    struct Measurement {
        /// PSNR per held-back input, in order.
        var byInput: [Double]
        /// PSNR with the squared errors of all inputs pooled: steadier than the worst for ranking.
        var pooled: Double
        var worst: Double { byInput.min() ?? -.infinity }
    }

    let model: Model
    let options: QuantizationOptions
    let ranges: [String: ClosedRange<Float>]
    let floor: QualityFloor
    let heldBack: CalibrationSource
    let backend: any Backend
    let device: Device

    /// The model reached, its plan, and the report.
    func run(
        preprocessing: CalibrationPreprocessing
    ) async throws(QuantizeError) -> (model: Model, plan: QuantizationPlan, report: FloorReport) {
        let groups = try CalibrationInputs.groups(heldBack, interface: model.graph.runtimeInputs, preprocessing: preprocessing)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-floor-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        do { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) } catch {
            throw .evaluationFailed(engine: device.id.rawValue, reason: "\(error)")
        }
        let references = try await outputs(of: model, groups: groups, file: folder.appendingPathComponent("float.onnx"))
        let candidateFile = folder.appendingPathComponent("candidate.onnx")
        var evaluations = 0
        func measure(_ keepingFloat: Set<Int>) async throws(QuantizeError) -> (Model, QuantizationPlan, Measurement) {
            let plan = try QuantizationPlan(model: model, options: options, keepingFloat: keepingFloat)
            let candidate = try QDQRewriter(options: options, ranges: ranges).rewrite(model, plan: plan)
            let produced = try await outputs(of: candidate, groups: groups, file: candidateFile)
            evaluations += 1
            return (candidate, plan, measurement(produced, against: references))
        }

        let layers = try QuantizationPlan(model: model, options: options).targets.map(\.index)
        let all = try await measure([])
        var best = (model: all.0, plan: all.1, measurement: all.2, float: Set<Int>())
        var sensitivity: [Int: Double] = [:]
        if all.2.worst < floor.minimumPSNR, layers.count > 1 {
            for layer in layers {
                sensitivity[layer] = try await measure([layer]).2.pooled - all.2.pooled
            }
            let ranked = layers.sorted { sensitivity[$0, default: 0] > sensitivity[$1, default: 0] }
            var kept = Set<Int>()
            var reached: (Model, QuantizationPlan, Measurement)?
            // At least one layer stays integer, or the result would be the float model.
            for layer in ranked.dropLast() {
                kept.insert(layer)
                let candidate = try await measure(kept)
                if candidate.2.worst > best.measurement.worst { best = (candidate.0, candidate.1, candidate.2, kept) }
                if candidate.2.worst >= floor.minimumPSNR {
                    reached = candidate
                    break
                }
            }
            if let reached {
                best = (reached.0, reached.1, reached.2, kept)
                for layer in ranked.reversed() where best.float.contains(layer) && best.float.count > 1 {
                    let fewer = best.float.subtracting([layer])
                    let candidate = try await measure(fewer)
                    if candidate.2.worst >= floor.minimumPSNR { best = (candidate.0, candidate.1, candidate.2, fewer) }
                }
            }
        }
        guard best.measurement.worst >= floor.minimumPSNR else {
            throw .floorNotMet(
                minimumPSNR: floor.minimumPSNR, bestPSNR: best.measurement.worst, floatLayers: best.float.count,
                layers: layers.count, heldBack: heldBack.description)
        }
        let nodes = model.graph.nodes
        let floatLayers = best.float.sorted { sensitivity[$0, default: 0] > sensitivity[$1, default: 0] }.map {
            FloorReport.Layer(
                node: nodes[$0].name.isEmpty ? nodes[$0].label(index: $0) : nodes[$0].name, opType: nodes[$0].opType,
                sensitivity: sensitivity[$0, default: 0])
        }
        let report = FloorReport(
            minimumPSNR: floor.minimumPSNR, heldBack: heldBack.description,
            inputs: zip(groups, best.measurement.byInput).map { FloorReport.Input(name: $0.name, psnr: $1) },
            psnr: best.measurement.worst, fullyQuantizedPSNR: all.2.worst, floatLayers: floatLayers, layers: layers.count,
            method: sensitivity.isEmpty
                ? "every layer integer reaches the floor"
                : "leave-one-out sensitivity, most sensitive layers kept float until the floor holds, then pruned",
            engine: device.id.rawValue, evaluations: evaluations)
        return (best.model, best.plan, report)
    }

    /// Every output of `model` on every feed of every group, in order.
    private func outputs(
        of model: Model, groups: [(name: String, feeds: [[String: Tensor]])], file: URL
    ) async throws(QuantizeError) -> [[[Float]]] {
        let engine = device.id.rawValue
        let names = model.graph.outputs.map(\.name)
        do {
            try model.write(to: file, options: SaveOptions(externalData: .inline))
            let shapes = groups.first?.feeds.first?.mapValues(\.shape) ?? [:]
            // Optimizations on: the candidate runs as a user's session would run it (fused integer kernels).
            let session = try await backend.makeSession(model: file, device: device, options: SessionOptions(inputShapes: shapes))
            return try groups.map { group in
                try group.feeds.map { feed in
                    let produced = try session.run(feed)
                    return try names.flatMap { name in
                        guard let tensor = produced[name] else {
                            throw QuantizeError.evaluationFailed(engine: engine, reason: "no output '\(name)'")
                        }
                        return try tensor.scalars(as: Float.self)
                    }
                }
            }
        } catch let error as QuantizeError {
            throw error
        } catch {
            throw .evaluationFailed(engine: engine, reason: "\(error)")
        }
    }

    /// PSNR of each group's outputs against the float model's, with the floor's output range
    /// (clipping both, its width the peak) or else the float output's own range as the peak.
    private func measurement(_ produced: [[[Float]]], against references: [[[Float]]]) -> Measurement {
        var byInput: [Double] = []
        var pooledError = 0.0
        var pooledCount = 0
        var pooledPeak = 0.0
        for (candidate, reference) in zip(produced, references) {
            let expected = reference.flatMap { $0 }
            let got = candidate.flatMap { $0 }
            var squared = 0.0
            let peak: Double
            if let range = floor.outputRange {
                peak = Double(range.upperBound - range.lowerBound)
                for (a, b) in zip(got, expected) {
                    let difference = Double(min(max(a, range.lowerBound), range.upperBound) - min(max(b, range.lowerBound), range.upperBound))
                    // NaN compares false everywhere: counted as the largest error.
                    squared += difference.isNaN ? peak * peak : difference * difference
                }
            } else {
                peak = Double((expected.max() ?? 0) - (expected.min() ?? 0))
                for (a, b) in zip(got, expected) {
                    let difference = Double(a - b)
                    squared += difference.isNaN ? peak * peak : difference * difference
                }
            }
            byInput.append(Self.psnr(squaredError: squared, count: expected.count, peak: peak))
            pooledError += squared
            pooledCount += expected.count
            pooledPeak = max(pooledPeak, peak)
        }
        return Measurement(byInput: byInput, pooled: Self.psnr(squaredError: pooledError, count: pooledCount, peak: pooledPeak))
    }

    private static func psnr(squaredError: Double, count: Int, peak: Double) -> Double {
        let mean = squaredError / Double(max(count, 1))
        return mean == 0 ? .infinity : 10 * log10(peak * peak / mean)
    }
}
