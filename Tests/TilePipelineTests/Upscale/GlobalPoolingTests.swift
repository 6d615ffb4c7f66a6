import Foundation
import Tessera
import Testing
import TesseraTestSupport
import TilePipeline

/// A model that pools over its whole input (a squeeze-excitation gate, as in Real-CUGAN), upscaled
/// in tiles far smaller than the picture, against ONNX Runtime running it on the whole picture.
@Suite("Models with global pooling: tiles take the whole image's pooled values")
struct GlobalPoolingTests {
    struct Comparison: Decodable {
        var shape: [Int]
        var expected_shape: [Int]
        var max_diff: Double?
        var mean_diff: Double?
        var tile_alone_max_diff: Double
    }

    private static func upscale(width: Int, height: Int, tile: Int) async throws -> (Comparison, explanation: [String]) {
        let folder = try Fixtures.temporaryDirectory("global-pooling")
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = try TileFixtures.path(of: .seX2)
        let input = folder.appendingPathComponent("ramp.png")
        let output = folder.appendingPathComponent("ramp-x2.png")
        _ = try runPython("Tests/Oracles/pooling_oracle.py", ["make", input.path, "\(width)", "\(height)"])
        var options = UpscaleOptions()
        options.tile = tile
        options.overlap = 8
        options.session = SessionOptions(threads: 1)
        let upscaler = try await Upscaler.load(
            models: [model.path], store: ModelStore(root: folder.appendingPathComponent("cache")),
            backends: [try TileFixtures.backend(.onnxRuntime)], options: options)
        _ = try await upscaler.upscale(input, to: output)
        let json = try runPython("Tests/Oracles/pooling_oracle.py", ["compare", model.path, input.path, output.path, "\(tile)"])
        print("global pooling, \(width)×\(height) in \(tile)-pixel tiles: \(json)")
        return (try JSONDecoder().decode(Comparison.self, from: Data(json.utf8)), upscaler.explanation)
    }

    @Test("A picture that fits the pooling pass: 32-pixel tiles equal the whole-image run within one level")
    func wholeImageValues() async throws {
        let (comparison, explanation) = try await Self.upscale(width: 300, height: 200, tile: 32)
        #expect(comparison.shape == comparison.expected_shape)
        #expect(explanation.contains { $0.hasPrefix("pooling: ") }, "\(explanation)")
        // A tile pooling over itself would be far off: the gate is sensitive to the mean.
        #expect(comparison.tile_alone_max_diff >= 5, "\(comparison)")
        #expect(try #require(comparison.max_diff) <= 1, "\(comparison)")
    }

    @Test("A picture wider than the pooling pass is reduced first: close to the whole-image run, far closer than one tile alone")
    func reducedImageValues() async throws {
        // 1300 pixels exceed the largest tile (512), so the values come from a picture reduced 3×
        // (measured: at most 3 levels and 0.26 on average from the whole-image run; a tile alone, 9).
        let (comparison, _) = try await Self.upscale(width: 1300, height: 96, tile: 64)
        #expect(comparison.shape == comparison.expected_shape)
        #expect(comparison.tile_alone_max_diff >= 5, "\(comparison)")
        #expect(try #require(comparison.max_diff) <= 4, "\(comparison)")
        #expect(try #require(comparison.mean_diff) <= 0.5, "\(comparison)")
    }
}
