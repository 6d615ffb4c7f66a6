public import Foundation
public import InferenceRuntime
public import ONNXModel
public import TensorCore

/// The pitfalls of `tessera check --run`: runs the model and reports traced constants, float16
/// overflow and libraries that disagree. Each probe runs on the first device given (the best one
/// by selection); the agreement probe on one device of every library.
public struct PitfallCheck: Sendable {
    private let backends: [any Backend]

    public init(backends: [any Backend]) {
        self.backends = backends
    }

    /// Runs every probe. `sample` feeds the float16 and agreement probes (an image or random input
    /// at the model's size); `devices` are in preference order.
    public func run(model url: URL, model: Model, sample: [String: Tensor], devices: [Device]) async -> [Pitfall] {
        guard let device = devices.first, let backend = backends.first(where: { $0.id == device.backend }) else {
            return [Pitfall(.probeFailed, .warning, "no library can run the model here, so it was not run")]
        }
        var pitfalls = await TracedShapeProbe().run(
            model: url, interface: model.graph.runtimeInputs, backend: backend, device: device)
        pitfalls += await Float16RangeProbe().run(
            model: model, feeds: sample, backend: backend, device: device,
            workDirectory: FileManager.default.temporaryDirectory)
        pitfalls += await agreement(model: url, sample: sample, devices: devices)
        return pitfalls
    }

    /// Each library's output against the first library's, at the verify tolerance.
    private func agreement(model url: URL, sample: [String: Tensor], devices: [Device]) async -> [Pitfall] {
        var seen = Set<BackendID>()
        let targets = devices.filter { seen.insert($0.backend).inserted }.map(\.id.rawValue)
        guard targets.count >= 2 else { return [] }
        do {
            let result = try await Verifier(backends: backends).verify(
                models: [url], targets: targets, inputs: sample, tolerance: Verifier.defaultTolerance)
            return result.comparisons.flatMap { comparison in
                comparison.outputs.filter { !$0.passed }.map { output in
                    Pitfall(
                        .librariesDisagree, .warning,
                        "\(comparison.candidate) differs from \(comparison.reference) on output '\(output.name)': max abs \(String(format: "%.3g", output.maxAbsoluteError)), PSNR \(String(format: "%.1f", output.psnr)) dB (run `tessera verify` for pictures)")
                }
            }
        } catch {
            return [Pitfall(.probeFailed, .warning, "library agreement: \(error)")]
        }
    }
}
