import Testing
import TesseraTestSupport
import TilePipeline

/// The plan's promises, checked pixel by pixel over many seeded random configurations.
@Suite("Tile plans")
struct TilePlanTests {
    /// Checks every property a plan promises.
    private func check(_ plan: TilePlan, context: String) {
        let region = plan.region
        var owners = [Int](repeating: 0, count: region.area)
        for tile in plan.tiles {
            let window = tile.window
            #expect(window.width == plan.windowWidth && window.height == plan.windowHeight, "\(context): window sizes differ")
            #expect(window.x % plan.multipleOf == 0 && window.y % plan.multipleOf == 0, "\(context): window \(window) unaligned")
            #expect(window.width % plan.multipleOf == 0 && window.height % plan.multipleOf == 0, "\(context): size unaligned")
            #expect(
                window.x >= 0 && window.y >= 0 && window.maxX <= plan.paddedWidth && window.maxY <= plan.paddedHeight,
                "\(context): window \(window) leaves the padded image")
            if let maxTile = plan.maxTile { #expect(max(window.width, window.height) <= maxTile, "\(context): above maxTile") }
            #expect(window.contains(tile.core), "\(context): core \(tile.core) outside window \(window)")
            // The margin holds on every side that is not the padded image's edge.
            let m = plan.margin
            #expect(window.x == 0 || tile.core.x - window.x >= m, "\(context): left margin of tile \(tile.index)")
            #expect(window.y == 0 || tile.core.y - window.y >= m, "\(context): top margin of tile \(tile.index)")
            #expect(window.maxX == plan.paddedWidth || window.maxX - tile.core.maxX >= m, "\(context): right margin")
            #expect(window.maxY == plan.paddedHeight || window.maxY - tile.core.maxY >= m, "\(context): bottom margin")
            for y in tile.core.y..<tile.core.maxY {
                for x in tile.core.x..<tile.core.maxX where region.contains(PixelRect(x: x, y: y, width: 1, height: 1)) {
                    owners[(y - region.y) * region.width + x - region.x] += 1
                }
            }
            #expect(region.contains(tile.core), "\(context): core \(tile.core) outside region \(region)")
        }
        #expect(owners.allSatisfy { $0 == 1 }, "\(context): cores do not partition the region exactly")
        #expect(plan.tiles.count == plan.rowCount * plan.columnCount)
    }

    @Test("Cores partition the region; windows share one aligned size, stay in the padded image and keep the margin")
    func invariants() throws {
        var generator = SeededGenerator(seed: 21)
        for _ in 0..<300 {
            let width = Int.random(in: 1...120, using: &generator)
            let height = Int.random(in: 1...120, using: &generator)
            let k = [1, 1, 2, 4, 8].randomElement(using: &generator) ?? 1
            let margin = Int.random(in: 0...12, using: &generator)
            let tileWidth = Int.random(in: 1...64, using: &generator)
            let tileHeight = Int.random(in: 1...64, using: &generator)
            var region: PixelRect?
            if Bool.random(using: &generator) {
                let x = Int.random(in: 0..<width, using: &generator)
                let y = Int.random(in: 0..<height, using: &generator)
                region = PixelRect(
                    x: x, y: y, width: Int.random(in: 1...(width - x), using: &generator),
                    height: Int.random(in: 1...(height - y), using: &generator))
            }
            let plan = try TilePlan(
                imageWidth: width, imageHeight: height, region: region, tileWidth: tileWidth, tileHeight: tileHeight,
                margin: margin, multipleOf: k, scale: 2)
            check(plan, context: "\(width)x\(height) region \(region.map(\.description) ?? "all") tile \(tileWidth)x\(tileHeight) m\(margin) k\(k)")
        }
    }

    @Test("An image smaller than a tile is one tile of the image's size, padded up to multipleOf")
    func smallImage() throws {
        let plan = try TilePlan(imageWidth: 21, imageHeight: 13, tileWidth: 64, margin: 5, multipleOf: 4, scale: 4)
        #expect(plan.tiles.count == 1)
        #expect(plan.tiles.first?.window == PixelRect(x: 0, y: 0, width: 24, height: 16))
        #expect(plan.tiles.first?.core == PixelRect(x: 0, y: 0, width: 21, height: 13))
        #expect(plan.outputWidth == 84 && plan.outputHeight == 52)
    }

    @Test("Border tiles shift inward instead of shrinking, and see the image edge")
    func borderTilesShiftInward() throws {
        let plan = try TilePlan(imageWidth: 100, imageHeight: 10, tileWidth: 32, margin: 4, scale: 1)
        #expect(plan.windowWidth == 40)
        let last = try #require(plan.tiles.last)
        #expect(last.window.maxX == 100, "the last window ends at the image edge")
        #expect(last.core.maxX == 100)
    }

    @Test("minTile pads small images up; maxTile caps the window")
    func tileLimits() throws {
        let small = try TilePlan(imageWidth: 10, imageHeight: 7, tileWidth: 8, margin: 2, scale: 2, minTile: 32)
        #expect(small.windowWidth == 32 && small.paddedWidth == 32 && small.tiles.count == 1)
        let capped = try TilePlan(imageWidth: 300, imageHeight: 300, tileWidth: 256, margin: 8, scale: 2, maxTile: 64)
        #expect(capped.windowWidth == 64)
        check(capped, context: "maxTile 64")
    }

    @Test("Bad parameters throw a TilingError that names them")
    func badParameters() {
        #expect(throws: TilingError.emptyImage(width: 0, height: 5)) {
            try TilePlan(imageWidth: 0, imageHeight: 5, tileWidth: 8, margin: 0)
        }
        let outside = PixelRect(x: 5, y: 5, width: 10, height: 10)
        #expect(throws: TilingError.regionOutsideImage(region: outside, width: 12, height: 12)) {
            try TilePlan(imageWidth: 12, imageHeight: 12, region: outside, tileWidth: 8, margin: 0)
        }
        let error = #expect(throws: TilingError.self) {
            try TilePlan(imageWidth: 500, imageHeight: 500, tileWidth: 64, margin: 20, scale: 2, maxTile: 40)
        }
        #expect(error?.description.contains("margin of 20") == true)
        #expect(throws: TilingError.self) { try TilePlan(imageWidth: 5, imageHeight: 5, tileWidth: 0, margin: 0) }
        #expect(throws: TilingError.self) { try TilePlan(imageWidth: 5, imageHeight: 5, tileWidth: 4, margin: -1) }
    }

    @Test("A subdivided tile covers the same area with smaller windows that keep the margins")
    func subdivision() throws {
        let plan = try TilePlan(imageWidth: 90, imageHeight: 70, tileWidth: 40, margin: 3, multipleOf: 2, scale: 2)
        for tile in plan.tiles {
            let parts = try plan.subdivided(tile.core, maxWindowWidth: plan.windowWidth / 2, maxWindowHeight: plan.windowHeight)
            #expect(parts.windowWidth <= plan.windowWidth / 2 && parts.windowHeight <= plan.windowHeight)
            #expect(parts.region == tile.core)
            check(parts, context: "tile \(tile.index) halved")
        }
        #expect(throws: TilingError.self) { try plan.subdivided(plan.region, maxWindowWidth: 7, maxWindowHeight: 7) }
    }

    @Test("PlanarImage reads rectangles with edge replication outside the image")
    func clampedPlanes() throws {
        let image = try TileFixtures.randomImage(width: 7, height: 5, channels: 2, seed: 3)
        for (x, y, width, height) in [(-3, -2, 6, 4), (4, 3, 6, 5), (-2, 1, 12, 2), (8, 6, 2, 2), (-9, -9, 3, 3), (2, 1, 3, 3)] {
            let planes = image.planes(x: x, y: y, width: width, height: height)
            var expected: [Float] = []
            for channel in 0..<2 {
                for row in 0..<height {
                    for column in 0..<width {
                        expected.append(image[channel, min(max(y + row, 0), 4), min(max(x + column, 0), 6)])
                    }
                }
            }
            #expect(planes == expected, "rectangle \(width)x\(height)+\(x)+\(y)")
        }
    }
}
