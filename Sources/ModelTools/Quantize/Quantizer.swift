import Foundation
public import InferenceRuntime
public import ONNXModel

/// Static quantization in QDQ format: plans which nodes become integer, calibrates activation
/// ranges by running the float model, and rewrites the graph (see ``QuantizationPlan`` and
/// ``QDQRewriter``). The result runs on ONNX Runtime, OpenVINO and the reference engine.
///
/// ```swift
/// let quantizer = Quantizer(backends: BackendCatalog.discover().backends)
/// let result = try await quantizer.quantize(
///     model, options: QuantizationOptions(perChannel: true), calibration: .random(count: 8),
///     preprocessing: CalibrationPreprocessing(model: model, manifest: nil))
/// try result.model.write(to: output)
/// ```
public struct Quantizer: Sendable {
    /// The quantized model and what was done to it, for the report.
    public struct Result: Sendable {
        public var model: Model
        public var steps: [ModelChangeReport.Step]
        /// The library and device calibration ran on.
        public var calibrationDevice: String
    }

    private let calibrator: Calibrator

    public init(backends: [any Backend]) {
        calibrator = Calibrator(backends: backends)
    }

    /// Quantizes `model` as `options` ask, calibrating on `calibration`.
    /// - Throws: ``QuantizeError``: no calibration data, an unsupported operator, an opset too old
    ///   for QDQ (10) or per-channel scales (13), or a calibration run that failed.
    public func quantize(
        _ model: Model, options: QuantizationOptions, calibration: CalibrationSource, preprocessing: CalibrationPreprocessing
    ) async throws(QuantizeError) -> Result {
        let opset = model.opsetVersion(for: "") ?? 0
        if opset < 10 { throw .opsetTooOld(have: opset, need: 10, reason: "QuantizeLinear/DequantizeLinear") }
        if options.perChannel, opset < 13 { throw .opsetTooOld(have: opset, need: 13, reason: "--per-channel") }
        let plan = try QuantizationPlan(model: model, options: options)
        let feeds = try CalibrationInputs.feeds(calibration, interface: model.graph.runtimeInputs, preprocessing: preprocessing)
        let device = try calibrator.device().device.id.rawValue
        let ranges = try await calibrator.ranges(model: model, tensors: plan.activations, feeds: feeds, method: options.method)
        let quantized = try QDQRewriter(options: options, ranges: ranges).rewrite(model, plan: plan)
        do { try quantized.validate() } catch { throw .invalidResult("\(error)") }
        return Result(
            model: quantized, steps: Self.steps(model, quantized, plan, options, feeds.count, calibration, device),
            calibrationDevice: device)
    }

    private static func steps(
        _ before: Model, _ after: Model, _ plan: QuantizationPlan, _ options: QuantizationOptions, _ runs: Int,
        _ calibration: CalibrationSource, _ device: String
    ) -> [ModelChangeReport.Step] {
        let quantizedTypes = plan.targets.reduce(into: [String: Int]()) { $0[before.graph.nodes[$1.index].opType, default: 0] += 1 }
        let weights = plan.targets.filter { $0.weight != nil }.count
        let biases = plan.targets.filter { $0.bias != nil }.count
        let added = after.graph.nodes.count - before.graph.nodes.count
        let pairs = plan.activations.count
        let initializersBefore = Set(before.graph.initializers.map(\.name))
        let initializersAfter = Set(after.graph.initializers.map(\.name))
        let list = quantizedTypes.keys.sorted().map { "\(quantizedTypes[$0] ?? 0) \($0)" }.joined(separator: ", ")
        return [
            ModelChangeReport.Step(
                name: "calibrate",
                summary: "\(runs) inputs from \(calibration.description) on \(device), \(options.method.rawValue) ranges of \(pairs) activations"),
            ModelChangeReport.Step(
                name: "weights",
                summary: "\(weights) weights \(options.weights.rawValue.uppercased())\(options.reduceRange ? " 7-bit" : "") \(options.perChannel ? "per-channel" : "per-tensor"), \(biases) biases int32",
                nodesAdded: added - 2 * pairs,
                initializersChanged: initializersBefore.symmetricDifference(initializersAfter).count - 2 * pairs),
            ModelChangeReport.Step(
                name: "activations",
                summary: "\(pairs) QuantizeLinear/DequantizeLinear pairs \(options.activations.rawValue.uppercased()) around \(list)",
                nodesAdded: 2 * pairs, initializersChanged: 2 * pairs),
        ]
    }
}
