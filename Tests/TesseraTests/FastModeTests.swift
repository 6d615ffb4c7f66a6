import Foundation
import Tessera
import Testing
import TesseraTestSupport
import TilePipeline

/// Fast mode's contract: the fastest candidate whose output stays above the quality floor, never
/// one below it, however fast.
@Suite("Fast mode: the quality floor", .serialized)
struct FastModeTests {
    static let model = Fixtures.repositoryRoot.appendingPathComponent("fixtures/srvgg-x4.onnx")

    private static func options(floor: Double?, precision: SessionOptions.Precision = .fast) -> UpscaleOptions {
        var options = UpscaleOptions()
        options.tile = 48
        options.session = SessionOptions(threads: 1, precision: precision)
        options.minimumPSNR = floor
        return options
    }

    @Test("A fast and wrong candidate is measured below the floor and never chosen; a lower floor admits it")
    func floor() async throws {
        let folder = try Fixtures.temporaryDirectory("fast-mode")
        defer { try? FileManager.default.removeItem(at: folder) }
        let onnxRuntime = try #require(BackendCatalog.discover(only: [.onnxRuntime]).backends.first)
        // Output × 0.8 in fast sessions (about 20 dB on photos); float32 runs 200 ms slower, a
        // margin no busy host's noise closes (60 ms once did, and the fast candidate went unjudged).
        let faulty = FaultInjectingBackend(wrapping: onnxRuntime, fault: .wrongWhenFast(factor: 0.8, delay: .milliseconds(200)))
        let store = ModelStore(root: folder.appendingPathComponent("cache"))

        let strict = try await Upscaler.load(
            models: [Self.model.path], store: store, backends: [faulty], options: Self.options(floor: 45))
        let refused = try #require(strict.explanation.first { $0.hasPrefix("  onnxruntime:cpu fast") }, "\(strict.explanation)")
        #expect(refused.contains("is below the quality floor of 45.0 dB"), "\(refused)")
        #expect(strict.explanation.contains { $0.hasPrefix("chose onnxruntime:cpu accurate") }, "\(strict.explanation)")

        // What it writes is float32's picture: the same bytes as the library alone, unhurried.
        let photo = try Fixtures.samplePhoto("chelsea.png")
        let chosen = folder.appendingPathComponent("fast-mode.png")
        let plain = folder.appendingPathComponent("float32.png")
        _ = try await strict.upscale(photo, to: chosen)
        let float32 = try await Upscaler.load(
            models: [Self.model.path], store: ModelStore(root: folder.appendingPathComponent("plain")), backends: [onnxRuntime],
            options: Self.options(floor: nil, precision: .accurate))
        _ = try await float32.upscale(photo, to: plain)
        #expect(try Data(contentsOf: chosen) == Data(contentsOf: plain))

        // The measurements are kept: a floor below the candidate's quality admits it, unmeasured.
        let lenient = try await Upscaler.load(
            models: [Self.model.path], store: store, backends: [faulty], options: Self.options(floor: 10))
        #expect(lenient.explanation.contains { $0.hasPrefix("chose onnxruntime:cpu fast") }, "\(lenient.explanation)")
    }
}
