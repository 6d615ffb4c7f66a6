import Dispatch
import Foundation
import ImageIO
import Synchronization
import Tessera
import TesseraTestSupport
import Testing
import TilePipeline

/// ``ImageBandSource`` against the same pixels decoded by Pillow and held whole in memory.
@Suite("Tiles read from an image file in row bands")
struct ImageBandSourceTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var label: String
        /// `upscale_images.py make` kind: rgb8, rgba8 or gray16.
        var kind: String
        var fileExtension: String
        var width: Int
        var height: Int
        var model: TileModel
        var tile: Int
        var region: PixelRect? = nil
        var mode = StitchMode.crop
        var testDescription: String { label }
    }

    static let cases: [Case] = [
        Case(label: "RGB PNG, 8-pixel tiles", kind: "rgb8", fileExtension: "png", width: 61, height: 47, model: .convX2, tile: 8),
        Case(
            label: "RGBA TIFF, a preview region, blended", kind: "rgba8", fileExtension: "tif", width: 53, height: 37,
            model: .convX2, tile: 6, region: PixelRect(x: 13, y: 9, width: 30, height: 21), mode: .blend),
        Case(
            label: "16-bit grey PNG, multipleOf 4, a region at the bottom", kind: "gray16", fileExtension: "png", width: 90,
            height: 70, model: .blocksX2, tile: 8, region: PixelRect(x: 9, y: 33, width: 50, height: 37)),
    ]

    @Test("An upscale from the file, two workers at once, equals one from Pillow's pixels in memory", arguments: cases)
    func upscaleMatches(_ testCase: Case) async throws {
        let folder = try Fixtures.temporaryDirectory("band-source")
        defer { try? FileManager.default.removeItem(at: folder) }
        let (url, pixels) = try Self.pillowImage(testCase.kind, testCase.width, testCase.height, testCase.fileExtension, in: folder)
        let model = testCase.model
        let plan = try TilePlan(
            imageWidth: testCase.width, imageHeight: testCase.height, region: testCase.region, tileWidth: testCase.tile,
            margin: model.margin, multipleOf: model.multipleOf, scale: model.scale)
        #expect(plan.rowCount >= 4)
        let workers = [
            TileWorker(name: "a", processor: try await TileFixtures.processor(model)),
            TileWorker(name: "b", processor: try await TileFixtures.processor(model)),
        ]
        let expected = try await TileFixtures.upscale(pixels, plan: plan, workers: workers, mode: testCase.mode).image

        let scheduler = TileScheduler(workers: workers)
        let source = ImageBandSource(reader: try ImageRowReader(url), plan: plan, rowsAhead: scheduler.rowsAhead)
        let sink = PlanarImageSink(width: plan.outputWidth, height: plan.outputHeight, channels: 3)
        _ = try await scheduler.run(source: source, plan: plan, mode: testCase.mode, into: sink)
        let difference = TileFixtures.maxDifference(try sink.image(), expected)
        // Blending sums overlapping tiles in the order two workers happen to finish them, which
        // moves the last bit; cropping copies, so it must be exact.
        #expect(difference <= (testCase.mode == .blend ? 1e-6 : 0), "max difference \(difference)")
        #expect(source.restarts == 0, "the scheduler's order must stay within the band")
    }

    @Test("Windows of two tile rows read concurrently in any order equal Pillow's; rows above the band decode again")
    func concurrentReads() throws {
        let folder = try Fixtures.temporaryDirectory("band-source-order")
        defer { try? FileManager.default.removeItem(at: folder) }
        let (url, pixels) = try Self.pillowImage("rgb8", 150, 230, "png", in: folder)
        let plan = try TilePlan(imageWidth: 150, imageHeight: 230, tileWidth: 16, margin: 3, scale: 2)
        let source = ImageBandSource(reader: try ImageRowReader(url), plan: plan, rowsAhead: 1)
        let rows = (0..<plan.rowCount).map { row in plan.tiles.filter { $0.row == row }.map(\.window) }
        for row in 0..<(plan.rowCount - 1) {
            let windows = (rows[row] + rows[row + 1]).shuffled()
            let mismatches = Counter()
            DispatchQueue.concurrentPerform(iterations: windows.count) { index in
                let window = windows[index]
                let read = try? source.planes(x: window.x, y: window.y, width: window.width, height: window.height)
                if read != pixels.planes(x: window.x, y: window.y, width: window.width, height: window.height) {
                    mismatches.add()
                }
            }
            #expect(mismatches.value == 0, "tile rows \(row) and \(row + 1)")
        }
        #expect(source.restarts == 0)
        // Past the edges too: the rows and columns outside repeat the edge.
        #expect(try source.planes(x: 140, y: 220, width: 20, height: 30) == pixels.planes(x: 140, y: 220, width: 20, height: 30))
        #expect(try source.planes(x: -5, y: -4, width: 20, height: 10) == pixels.planes(x: -5, y: -4, width: 20, height: 10))
        #expect(source.restarts == 1, "the top rows were dropped, so the file was decoded again")
    }

    /// Writes `kind` with Pillow (`upscale_images.py make`) and returns it with Pillow's decode of
    /// it as the planes a tile reads: the colour channels (grey repeated into three) in [0, 1].
    static func pillowImage(_ kind: String, _ width: Int, _ height: Int, _ fileExtension: String, in folder: URL) throws
        -> (URL, PlanarImage)
    {
        let url = folder.appendingPathComponent("\(kind).\(fileExtension)")
        _ = try runPython("Tests/Oracles/upscale_images.py", ["make", kind, url.path, "\(width)", "\(height)"])
        let npy = folder.appendingPathComponent("\(kind).npy")
        _ = try runPython("Tests/Oracles/pillow_images.py", ["decode-to-npy", url.path, npy.path])
        let tensor = try Tensor(npy: Data(contentsOf: npy))
        let channels = tensor.shape.count == 3 ? tensor.shape[2] : 1
        let samples: [Float] = tensor.dataType == .uint16
            ? try tensor.scalars(as: UInt16.self).map { Float($0) / 65535 }
            : try tensor.scalars(as: UInt8.self).map { Float($0) / 255 }
        var planes: [Float] = []
        for plane in 0..<3 {
            let channel = channels >= 3 ? plane : 0
            for pixel in 0..<(width * height) { planes.append(samples[pixel * channels + channel]) }
        }
        return (url, try PlanarImage(width: width, height: height, channels: 3, values: planes))
    }
}

/// A count shared by concurrent closures.
private final class Counter: Sendable {
    private let count = Mutex(0)
    func add() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}
