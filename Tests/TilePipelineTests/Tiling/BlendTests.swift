import Testing
import TesseraTestSupport
import TilePipeline

/// A model whose receptive field (8 pixels) is wider than the margin it is given: no stitching
/// can be exact, but blending must leave smaller errors at the seams than cropping does.
@Suite("Blend mode")
struct BlendTests {
    @Test("Blending lowers the worst and the mean error at the seams when the receptive field exceeds the margin",
          arguments: [2, 4])
    func blendBeatsCrop(margin: Int) async throws {
        let image = try TileFixtures.randomImage(width: 75, height: 61, seed: 31)
        let plan = try TilePlan(imageWidth: image.width, imageHeight: image.height, tileWidth: 16, margin: margin, scale: 2)
        #expect(plan.columnCount > 2 && plan.rowCount > 2)
        let model = TileModel.wideX2
        let session = try await TileFixtures.session(model, on: try TileFixtures.backend(.onnxRuntime))
        let worker = TileWorker(processor: try SessionProcessor(session: session, scale: model.scale, margin: margin))
        let cropped = try await TileFixtures.upscale(image, plan: plan, workers: [worker], mode: .crop).image
        let blended = try await TileFixtures.upscale(image, plan: plan, workers: [worker], mode: .blend).image
        let whole = try TileFixtures.oracle([.init(mode: "whole", models: [model], image: image)])[0]

        // Output pixels within the overlap's width of a boundary between two cores.
        let reach = 2 * margin * plan.scale
        let columnSeams = plan.tiles.filter { $0.row == 0 }.dropLast().map { $0.core.maxX * plan.scale }
        let rowSeams = plan.tiles.filter { $0.column == 0 }.dropLast().map { $0.core.maxY * plan.scale }
        func nearSeam(_ position: Int, _ seams: [Int]) -> Bool { seams.contains { abs(position - $0) < reach } }
        func seamErrors(_ output: PlanarImage) -> (worst: Float, rms: Float) {
            var worst: Float = 0
            var squares: Float = 0
            var count = 0
            for channel in 0..<output.channels {
                for y in 0..<output.height {
                    for x in 0..<output.width where nearSeam(x, columnSeams) || nearSeam(y, rowSeams) {
                        let error = abs(output[channel, y, x] - whole[channel, y, x])
                        worst = max(worst, error)
                        squares += error * error
                        count += 1
                    }
                }
            }
            return (worst, (squares / Float(max(count, 1))).squareRoot())
        }
        let crop = seamErrors(cropped)
        let blend = seamErrors(blended)
        print("wide-x2, margin \(margin), seams: crop worst \(crop.worst) rms \(crop.rms); blend worst \(blend.worst) rms \(blend.rms)")
        #expect(crop.worst > 1.0 / 255, "the receptive field must exceed the margin for this test to mean anything")
        #expect(blend.worst < crop.worst)
        #expect(blend.rms < crop.rms)
    }

    @Test("Blend weights are a partition of unity: a model that is the identity per pixel comes out unchanged")
    func weightsSumToOne() async throws {
        // nearest-x4 needs no context, so every window's output is exact and any weighting error shows.
        let image = try TileFixtures.randomImage(width: 45, height: 38, seed: 32)
        let plan = try TilePlan(imageWidth: image.width, imageHeight: image.height, tileWidth: 10, margin: 3, scale: 4)
        let worker = TileWorker(processor: try await TileFixtures.processor(.nearestX4))
        let blended = try await TileFixtures.upscale(image, plan: plan, workers: [worker], mode: .blend).image
        var worst: Float = 0
        for channel in 0..<3 {
            for y in 0..<blended.height {
                for x in 0..<blended.width { worst = max(worst, abs(blended[channel, y, x] - image[channel, y / 4, x / 4])) }
            }
        }
        #expect(worst <= 1e-5)
    }
}
