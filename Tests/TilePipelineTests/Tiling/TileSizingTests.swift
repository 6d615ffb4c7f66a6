import ONNXModel
import Testing
import TesseraTestSupport
import TilePipeline

@Suite("Tile sizes from memory")
struct TileSizingTests {
    @Test("Bytes per pixel: the widest node of conv-x2 is DepthToSpace, 12 channels in and 3 at 2× out")
    func bytesPerPixel() throws {
        let model = try Model(contentsOf: try TileFixtures.path(of: .convX2))
        // (12 + 3 × 2 × 2) float32 values per input pixel, read and written by one node.
        #expect(try TileSizing.bytesPerInputPixel(of: model) == (12 + 12) * 4)
    }

    @Test("The window fills the usable memory, within maxTile, minus the margins")
    func coreSize() {
        // √(1 GiB × 0.5 / 96 bytes) = 2364.8 → 2364, the largest multiple of 4 is 2364.
        let free = TileSizing.coreTileSize(deviceMemoryBytes: 1 << 30, bytesPerInputPixel: 96, margin: 10, multipleOf: 4)
        #expect(free == 2364 - 20)
        let capped = TileSizing.coreTileSize(
            deviceMemoryBytes: 1 << 30, bytesPerInputPixel: 96, margin: 10, multipleOf: 4, maxTile: 1024)
        #expect(capped == 1024 - 20)
        let tiny = TileSizing.coreTileSize(deviceMemoryBytes: 1 << 10, bytesPerInputPixel: 96, margin: 10, multipleOf: 4)
        #expect(tiny == 4, "never below one step of multipleOf")
    }

    @Test("Tile height keeps two rows of a 32000-pixel-wide output within a host budget")
    func bandHeight() {
        // 1 GiB / (32000 × 4 × 3 × 4 bytes × 2 rows) = 349.5 → 349 input rows per tile, 348 as a multiple of 4.
        let height = TileSizing.coreTileHeight(
            hostBudgetBytes: 1 << 30, outputWidth: 32000, scale: 4, channels: 3, multipleOf: 4)
        #expect(height == 348)
    }
}
