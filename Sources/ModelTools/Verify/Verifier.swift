public import Foundation
public import InferenceRuntime
public import TensorCore

/// Runs the same inputs through one or two models on one or more libraries and compares every
/// run with its reference: the second model with the first on each library, and each further
/// library with the first.
///
/// ```swift
/// let verifier = Verifier(backends: BackendCatalog.discover().backends)
/// let result = try await verifier.verify(
///     models: [original, converted], targets: ["onnxruntime"], inputs: feeds, tolerance: Verifier.defaultTolerance)
/// print(result.report.passed)
/// ```
public struct Verifier: Sendable {
    /// Float32 runs of one network by different code agree far closer than this; a 1% change in
    /// one weight of an upscaler does not.
    public static let defaultTolerance = Tolerance(relative: 1e-3, absolute: 1e-4)

    /// One model run on one library: the outputs of one side of a comparison.
    public struct Run: Sendable {
        public var label: String
        public var model: URL
        public var device: Device
        public var outputs: [String: Tensor]
    }

    /// The figures of one comparison.
    public struct Comparison: Sendable, Codable, Hashable {
        public var reference: String
        public var candidate: String
        public var outputs: [OutputDifference]
        public var passed: Bool { outputs.allSatisfy(\.passed) }
    }

    /// Everything measured, and the runs behind it.
    public struct Result: Sendable {
        public var comparisons: [Comparison]
        public var runs: [Run]
        public var passed: Bool { comparisons.allSatisfy(\.passed) }

        /// The run with `label`.
        public func run(_ label: String) -> Run? { runs.first { $0.label == label } }
    }

    private let backends: [any Backend]
    private let options: SessionOptions

    public init(backends: [any Backend], options: SessionOptions = SessionOptions()) {
        self.backends = backends
        self.options = options
    }

    /// Verifies as described on the type.
    /// - Parameters:
    ///   - models: one or two model files; with two, the second is the candidate.
    ///   - targets: library names (`onnxruntime`) or device ids (`openvino:CPU`); the first is the
    ///     reference library. Empty means the first library found.
    ///   - peak: the signal range for PSNR and SSIM (see ``OutputDifference``).
    public func verify(
        models: [URL], targets: [String], inputs: [String: Tensor], tolerance: Tolerance, peak: Double? = nil
    ) async throws(VerifyError) -> Result {
        let devices = try targets.isEmpty ? [try device(for: nil)] : targets.map { target throws(VerifyError) in try device(for: target) }
        guard models.count == 2 || devices.count >= 2 else { throw .nothingToCompare }
        var runs: [Run] = []
        for model in models {
            for device in devices { runs.append(try await run(model, on: device, inputs: inputs, labelled: models.count > 1)) }
        }
        var comparisons: [Comparison] = []
        let first = runs.prefix(devices.count)
        // Each further library against the first, on the first model.
        for candidate in first.dropFirst() { comparisons.append(try compare(first[first.startIndex], candidate, tolerance, peak)) }
        // The second model against the first, library by library.
        if models.count == 2 {
            for (reference, candidate) in zip(first, runs.dropFirst(devices.count)) {
                comparisons.append(try compare(reference, candidate, tolerance, peak))
            }
        }
        return Result(comparisons: comparisons, runs: runs)
    }

    private func device(for target: String?) throws(VerifyError) -> Device {
        let all = backends.flatMap { $0.devices() }
        let matching = all.filter { device in
            guard let target else { return true }
            return device.backend.rawValue == target || device.id.rawValue == target
        }
        // The library's device with the most memory, as selection would pick it.
        guard let best = matching.max(by: { ($0.memoryBytes ?? 0) < ($1.memoryBytes ?? 0) }) else {
            throw .libraryUnavailable(target ?? "any", available: all.map(\.id.rawValue))
        }
        return best
    }

    private func run(_ model: URL, on device: Device, inputs: [String: Tensor], labelled: Bool) async throws(VerifyError) -> Run {
        let label = labelled ? "\(model.lastPathComponent)@\(device.id)" : device.id.rawValue
        guard let backend = backends.first(where: { $0.id == device.backend }) else {
            throw .libraryUnavailable(device.backend.rawValue, available: backends.map(\.id.rawValue))
        }
        do {
            let session = try await backend.makeSession(model: model, device: device, options: options)
            return Run(label: label, model: model, device: device, outputs: try session.run(inputs))
        } catch {
            throw .runFailed(model: model.path, library: device.id.rawValue, reason: "\(error)")
        }
    }

    private func compare(_ reference: Run, _ candidate: Run, _ tolerance: Tolerance, _ peak: Double?) throws(VerifyError) -> Comparison {
        guard Set(reference.outputs.keys) == Set(candidate.outputs.keys) else {
            throw .mismatchedInterfaces(
                first: reference.label, second: candidate.label,
                reason: "outputs \(reference.outputs.keys.sorted()) and \(candidate.outputs.keys.sorted())")
        }
        var outputs: [OutputDifference] = []
        for name in reference.outputs.keys.sorted() {
            guard let expected = reference.outputs[name], let actual = candidate.outputs[name] else { continue }
            outputs.append(try OutputDifference(name: name, reference: expected, candidate: actual, tolerance: tolerance, peak: peak))
        }
        return Comparison(reference: reference.label, candidate: candidate.label, outputs: outputs)
    }
}
