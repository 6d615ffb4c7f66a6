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
        /// The inputs calibrated on: those given, less any held back for the floor.
        public var calibration: CalibrationSource
        /// How the quality floor was met, when one was asked for.
        public var floor: FloorReport?
    }

    private let calibrator: Calibrator

    public init(backends: [any Backend]) {
        calibrator = Calibrator(backends: backends)
    }

    /// Quantizes `model` as `options` ask, calibrating on `calibration`. With a `floor`, the
    /// layers that cost it most stay float until the floor is met on held-back inputs (see
    /// ``QualityFloor``); without held-back inputs of its own, a third of the calibration images
    /// are held back.
    /// - Throws: ``QuantizeError``: no calibration data, an unsupported operator, an opset too old
    ///   for QDQ (10) or per-channel scales (13), symmetric unsigned activations, a calibration or
    ///   candidate run that failed, or a floor no quantized model reaches.
    public func quantize(
        _ model: Model, options: QuantizationOptions, calibration: CalibrationSource, preprocessing: CalibrationPreprocessing,
        floor: QualityFloor? = nil
    ) async throws(QuantizeError) -> Result {
        let opset = model.opsetVersion(for: "") ?? 0
        if opset < 10 { throw .opsetTooOld(have: opset, need: 10, reason: "QuantizeLinear/DequantizeLinear") }
        if options.perChannel, opset < 13 { throw .opsetTooOld(have: opset, need: 13, reason: "--per-channel") }
        if options.symmetricActivations, options.activations != .s8 { throw .symmetricNeedsSignedActivations }
        var calibration = calibration
        var heldBack = floor?.heldBack
        if floor != nil, heldBack == nil {
            let split = try calibration.heldBack()
            calibration = split.calibration
            heldBack = split.heldBack
        }
        var plan = try QuantizationPlan(model: model, options: options)
        let feeds = try CalibrationInputs.feeds(calibration, interface: model.graph.runtimeInputs, preprocessing: preprocessing)
        let (backend, device) = try calibrator.device()
        let ranges = try await calibrator.ranges(
            model: model, tensors: plan.activations, feeds: feeds, method: options.method, symmetric: options.symmetricActivations)
        var quantized: Model
        var report: FloorReport?
        if let floor, let heldBack {
            let search = FloorSearch(
                model: model, options: options, ranges: ranges, floor: floor, heldBack: heldBack, backend: backend, device: device)
            (quantized, plan, report) = try await search.run(preprocessing: preprocessing)
        } else {
            quantized = try QDQRewriter(options: options, ranges: ranges).rewrite(model, plan: plan)
        }
        do { try quantized.validate() } catch { throw .invalidResult("\(error)") }
        var steps = Self.steps(model, quantized, plan, options, feeds.count, calibration, device.id.rawValue)
        if let report { steps.append(Self.floorStep(report)) }
        return Result(
            model: quantized, steps: steps, calibrationDevice: device.id.rawValue, calibration: calibration, floor: report)
    }

    private static func floorStep(_ report: FloorReport) -> ModelChangeReport.Step {
        let kept =
            report.floatLayers.isEmpty
            ? "every layer integer"
            : "\(report.floatLayers.count) of \(report.layers) layers float ("
                + report.floatLayers.map { "\($0.node) +\(String(format: "%.2f", $0.sensitivity)) dB" }.joined(separator: ", ") + ")"
        return ModelChangeReport.Step(
            name: "floor",
            summary: "\(QuantizeError.decibels(report.psnr)) ≥ \(QuantizeError.decibels(report.minimumPSNR)) on \(report.inputs.count) held-back inputs (all integer: \(QuantizeError.decibels(report.fullyQuantizedPSNR))), \(kept); \(report.evaluations) candidates run on \(report.engine)")
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
                summary: "\(pairs) QuantizeLinear/DequantizeLinear pairs \(options.activations.rawValue.uppercased())\(options.symmetricActivations ? " symmetric (zero point 0)" : "") around \(list)",
                nodesAdded: 2 * pairs, initializersChanged: 2 * pairs),
        ]
    }
}
