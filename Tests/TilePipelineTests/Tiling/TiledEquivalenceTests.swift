import Testing
import TesseraTestSupport
import TilePipeline

/// Tiled inference through real ONNX Runtime sessions against whole-image inference by
/// onnxruntime in Python, for models whose receptive field fits in the margin.
@Suite("Tiled output equals whole-image output")
struct TiledEquivalenceTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var label: String
        var model: TileModel
        var width: Int
        var height: Int
        var tileWidth: Int
        var tileHeight: Int? = nil
        var region: PixelRect? = nil
        /// Tiles the plan must have, so a case meant to cross seams cannot silently become one tile.
        var tiles: Int
        var testDescription: String { label }
    }

    static let cases: [Case] = [
        Case(label: "16-pixel tiles that do not divide 53×37", model: .convX2, width: 53, height: 37, tileWidth: 16, tiles: 6),
        Case(label: "a 64×64 image, 24-pixel tiles", model: .convX2, width: 64, height: 64, tileWidth: 24, tiles: 9),
        Case(label: "rectangular 24×10 tiles", model: .convX2, width: 53, height: 37, tileWidth: 24, tileHeight: 10, tiles: 8),
        Case(label: "odd 31×29 image, 20-pixel tiles", model: .convX2, width: 31, height: 29, tileWidth: 20, tiles: 4),
        Case(label: "a 1×40 image", model: .convX2, width: 1, height: 40, tileWidth: 8, tiles: 5),
        Case(label: "an image smaller than a tile", model: .convX2, width: 21, height: 13, tileWidth: 64, tiles: 1),
        Case(
            label: "a preview region inside the image", model: .convX2, width: 61, height: 47, tileWidth: 10,
            region: PixelRect(x: 13, y: 9, width: 30, height: 21), tiles: 9),
        Case(
            label: "a preview region at the bottom-right corner", model: .convX2, width: 61, height: 47, tileWidth: 8,
            region: PixelRect(x: 40, y: 30, width: 21, height: 17), tiles: 6),
        Case(label: "multipleOf 4 on a 90×70 image", model: .blocksX2, width: 90, height: 70, tileWidth: 16, tiles: 15),
        Case(label: "multipleOf 4, image smaller than a tile", model: .blocksX2, width: 18, height: 11, tileWidth: 64, tiles: 1),
        Case(
            label: "multipleOf 4 with a preview region", model: .blocksX2, width: 90, height: 70, tileWidth: 12,
            region: PixelRect(x: 9, y: 13, width: 50, height: 37), tiles: 16),
    ]

    @Test(arguments: cases)
    func matchesWholeImage(_ testCase: Case) async throws {
        let model = testCase.model
        let image = try TileFixtures.randomImage(width: testCase.width, height: testCase.height, seed: 11)
        let plan = try TilePlan(
            imageWidth: image.width, imageHeight: image.height, region: testCase.region, tileWidth: testCase.tileWidth,
            tileHeight: testCase.tileHeight, margin: model.margin, multipleOf: model.multipleOf, scale: model.scale)
        #expect(plan.tiles.count == testCase.tiles)
        let processor = try await TileFixtures.processor(model)
        let tiled = try await TileFixtures.upscale(image, plan: plan, workers: [TileWorker(processor: processor)]).image
        let expected = try TileFixtures.oracle([
            .init(mode: "whole", models: [model], image: image, crop: testCase.region?.scaled(by: model.scale))
        ])[0]
        let difference = TileFixtures.maxDifference(tiled, expected)
        #expect(difference <= 1.0 / 255, "max |tiled − whole| = \(difference)")
    }

    @Test("Test-time augmentation equals the mean of the eight transforms of the whole image")
    func augmented() async throws {
        let image = try TileFixtures.randomImage(width: 29, height: 23, seed: 12)
        // Rectangular windows, so the transposed half of the augmentation runs another shape.
        let plan = try TilePlan(
            imageWidth: image.width, imageHeight: image.height, tileWidth: 12, tileHeight: 8, margin: 3, scale: 2)
        #expect(plan.windowWidth != plan.windowHeight)
        let processor = AugmentedProcessor(try await TileFixtures.processor(.convX2))
        let tiled = try await TileFixtures.upscale(image, plan: plan, workers: [TileWorker(processor: processor)]).image
        let oracles = try TileFixtures.oracle([
            .init(mode: "tta", models: [.convX2], image: image), .init(mode: "whole", models: [.convX2], image: image),
        ])
        let difference = TileFixtures.maxDifference(tiled, oracles[0])
        #expect(difference <= 1.0 / 255, "max |tiled TTA − whole-image TTA| = \(difference)")
        // The augmented output must differ from the plain one, or the check above proves nothing.
        #expect(TileFixtures.maxDifference(oracles[0], oracles[1]) > 0.01)
    }

    @Test("A two-model chain equals both models run whole-image in sequence")
    func chain() async throws {
        let image = try TileFixtures.randomImage(width: 37, height: 29, seed: 13)
        let chain = try ChainProcessor([
            try await TileFixtures.processor(.convX2), try await TileFixtures.processor(.convX1),
        ])
        #expect(chain.scale == 2)
        #expect(chain.margin == 4, "3 for the first model plus 2 output pixels of it, one input pixel rounded up")
        let plan = try TilePlan(
            imageWidth: image.width, imageHeight: image.height, tileWidth: 12, margin: chain.margin, scale: chain.scale)
        let tiled = try await TileFixtures.upscale(image, plan: plan, workers: [TileWorker(processor: chain)]).image
        let expected = try TileFixtures.oracle([.init(mode: "chain", models: [.convX2, .convX1], image: image)])[0]
        let difference = TileFixtures.maxDifference(tiled, expected)
        #expect(difference <= 1.0 / 255, "max |tiled chain − whole-image chain| = \(difference)")
    }
}
