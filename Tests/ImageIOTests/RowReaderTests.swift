import Foundation
import ImageIO
import Testing
import TesseraTestSupport

@Suite("Reading files in row bands", .imageFixtures)
struct RowReaderTests {
    @Test("Every fixture read in bands of 1, 5, 16 or all rows gives Pillow's pixels", arguments: [1, 5, 16, 100_000])
    func bandsMatchPillow(band: Int) throws {
        let cases = try ImageOracle.cases()
        #expect(cases.count >= 30)
        for fixture in cases {
            let reader = try ImageRowReader(try ImageOracle.fixture(fixture.file))
            let expected = try ImageOracle.load(try ImageOracle.fixture(fixture.expected))
            #expect([reader.info.height, reader.info.width, reader.info.layout.channels] == expected.shape, "\(fixture)")
            var bands: [Image] = []
            while reader.nextRow < reader.info.height {
                bands.append(try reader.read(rows: min(band, reader.info.height - reader.nextRow)))
            }
            let difference = Self.largestDifference(Self.joined(bands), expected.samples)
            #expect(difference != nil && difference! <= fixture.tolerance, "\(fixture): \(String(describing: difference))")
        }
    }

    @Test("PNG, JPEG (progressive too) and striped TIFF stream; Adam7, tiles, planes and turned images are decoded whole")
    func whichStream() throws {
        let streaming = [
            "png_rgb8.png", "png_gray16.png", "png_rgba16.png", "png_palette_alpha.png", "png_gray1.png", "jpeg_rgb420.jpg",
            "jpeg_progressive.jpg", "jpeg_orientation1.jpg", "tiff_rgb8.tif", "tiff_rgba16.tif", "tiff_lzw.tif",
            "tiff_premultiplied.tif", "tiff_palette.tif", "tiff_miniswhite.tif",
        ]
        let whole = [
            "png_interlaced8.png", "png_orientation6.png", "jpeg_orientation3.jpg", "tiff_tiled.tif", "tiff_planar.tif",
            "tiff_jpeg.tif", "tiff_orientation6.tif",
        ]
        for name in streaming { #expect(try ImageRowReader(try ImageOracle.fixture(name)).isStreaming, "\(name)") }
        for name in whole { #expect(try !ImageRowReader(try ImageOracle.fixture(name)).isStreaming, "\(name)") }
    }

    @Test("Skipped rows and a window of columns give that part of Pillow's pixels")
    func columnsAndSkips() throws {
        for name in ["png_rgba16", "jpeg_rgb444", "tiff_rgb8", "tiff_tiled", "jpeg_orientation6"] {
            let fixture = try #require(try ImageOracle.cases().first { $0.name == name })
            let expected = try ImageOracle.load(try ImageOracle.fixture(fixture.expected))
            let (height, width, channels) = (expected.shape[0], expected.shape[1], expected.shape[2])
            let reader = try ImageRowReader(try ImageOracle.fixture(fixture.file))
            try reader.skip(rows: 3)
            let columns = 4..<(width - 5)
            let band = try reader.read(rows: height - 10, columns: columns)
            #expect(band.width == columns.count && band.height == height - 10)
            let crop = Self.crop(expected.samples, width: width, channels: channels, rows: 3..<(height - 7), columns: columns)
            let difference = Self.largestDifference(band.samples, crop)
            #expect(difference != nil && difference! <= fixture.tolerance, "\(name): \(String(describing: difference))")
            #expect(reader.nextRow == height - 7)
            #expect(throws: ImageIOError.self) { try reader.read(rows: 8) }
            #expect(throws: ImageIOError.self) { try reader.read(rows: 1, columns: (width - 1)..<(width + 1)) }
        }
    }

    @Test("A file cut in half fails as truncated in bands too, naming the file", arguments: [
        "png_rgb8.png", "jpeg_rgb420.jpg", "tiff_rgb8.tif",
    ])
    func truncated(fixture: String) throws {
        let folder = try Fixtures.temporaryDirectory("imageio-rows-cut")
        defer { try? FileManager.default.removeItem(at: folder) }
        let bytes = try Data(contentsOf: try ImageOracle.fixture(fixture))
        let url = folder.appendingPathComponent("half-" + fixture)
        try bytes.prefix(bytes.count / 2).write(to: url)
        do {
            let reader = try ImageRowReader(url)
            #expect(reader.isStreaming)
            while reader.nextRow < reader.info.height { _ = try reader.read(rows: 4) }
            Issue.record("\(fixture): read to the end")
        } catch {
            guard case .truncated(let path, _) = error else {
                Issue.record("\(fixture): \(error)")
                return
            }
            #expect(path == url.path)
        }
    }

    @Test("A 60000×60000 header on a few hundred bytes is refused before decoding; a raised limit lets it stream")
    func headerBomb() throws {
        let folder = try Fixtures.temporaryDirectory("imageio-bomb")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("bomb.png")
        _ = try runPython(ImageOracle.script, ["header-bomb", url.path, "60000", "60000", "2"])
        #expect(try Data(contentsOf: url).count < 1000)
        let refusal = ImageIOError.tooManyPixels(path: url.path, width: 60000, height: 60000, limit: ImageReader.defaultMaxPixels)
        #expect(throws: refusal) { try ImageReader.read(url) }
        #expect(throws: refusal) { try ImageRowReader(url) }
        #expect(throws: refusal) { try ImageReader.checkPixelCount(url, maxPixels: ImageReader.defaultMaxPixels) }
        #expect(refusal.description.hasPrefix(url.path + ": "))
        #expect(refusal.description.contains("60000×60000") && refusal.description.contains("--max-pixels"))
        #expect(!refusal.description.contains("\n"))
        // Past the guard, only the rows asked for are decoded: the two the file holds are black,
        // and the third is missing.
        let reader = try ImageRowReader(url, maxPixels: 60000 * 60000)
        let rows = try reader.read(rows: 2, columns: 100..<300)
        #expect(rows.samples == .uint8([UInt8](repeating: 0, count: 2 * 200 * 3)))
        #expect(throws: ImageIOError.self) { try reader.read(rows: 1) }
    }

    @Test("The limit is a pixel count: an image of exactly that many passes, one pixel fewer refuses it")
    func limitIsInclusive() throws {
        let url = try ImageOracle.fixture("png_rgb8.png")
        let pixels = 37 * 23
        #expect(try ImageReader.read(url, maxPixels: pixels).width == 37)
        #expect(try ImageRowReader(url, maxPixels: pixels).info.height == 23)
        #expect(throws: ImageIOError.tooManyPixels(path: url.path, width: 37, height: 23, limit: pixels - 1)) {
            try ImageReader.read(url, maxPixels: pixels - 1)
        }
        #expect(throws: ImageIOError.tooManyPixels(path: url.path, width: 37, height: 23, limit: pixels - 1)) {
            try ImageRowReader(url, maxPixels: pixels - 1)
        }
    }

    private static func joined(_ bands: [Image]) -> Image.Samples {
        if case .uint16 = bands.first?.samples {
            return .uint16(bands.flatMap { band -> [UInt16] in if case .uint16(let values) = band.samples { values } else { [] } })
        }
        return .uint8(bands.flatMap { band -> [UInt8] in if case .uint8(let values) = band.samples { values } else { [] } })
    }

    private static func crop(_ samples: Image.Samples, width: Int, channels: Int, rows: Range<Int>, columns: Range<Int>)
        -> Image.Samples
    {
        func pick<Sample>(_ values: [Sample]) -> [Sample] {
            rows.flatMap { row in values[((row * width + columns.lowerBound) * channels)..<((row * width + columns.upperBound) * channels)] }
        }
        switch samples {
        case .uint8(let values): return .uint8(pick(values))
        case .uint16(let values): return .uint16(pick(values))
        }
    }

    private static func largestDifference(_ a: Image.Samples, _ b: Image.Samples) -> Int? {
        switch (a, b) {
        case (.uint8(let x), .uint8(let y)) where x.count == y.count: zip(x, y).map { abs(Int($0) - Int($1)) }.max() ?? 0
        case (.uint16(let x), .uint16(let y)) where x.count == y.count: zip(x, y).map { abs(Int($0) - Int($1)) }.max() ?? 0
        default: nil
        }
    }
}
