import Foundation
import ImageIO
import Testing
import TesseraTestSupport

@Suite("WebP through libwebp, checked by Pillow's own libwebp", .imageFixtures)
struct WebPTests {
    @Test("Lossless WebP reads back exactly in Pillow, alpha and the colour under transparent pixels included")
    func lossless() throws {
        let folder = try Fixtures.temporaryDirectory("imageio-webp-lossless")
        defer { try? FileManager.default.removeItem(at: folder) }
        for (seed, layout) in [PixelLayout.rgb8, .rgba8].enumerated() {
            var image = try TestImages.random(width: 41, height: 27, layout: layout, seed: UInt64(seed + 30))
            if layout == .rgba8, case .uint8(var values) = image.samples {
                for pixel in stride(from: 0, to: values.count, by: 20) { values[pixel + 3] = 0 }
                image = try Image(width: 41, height: 27, layout: layout, samples8: values)
            }
            let verdict = try ImageOracle.writeAndCheck(
                image, to: folder.appendingPathComponent("\(layout.channels).webp"),
                options: ImageWriteOptions(webpLossless: true))
            #expect(verdict.shape_equal && verdict.max_diff == 0 && verdict.webp_lossless == true, "\(verdict)")
        }
    }

    @Test("Gray is stored as RGB and 16-bit rows are rounded to 8 bits")
    func widenedAndReduced() throws {
        let folder = try Fixtures.temporaryDirectory("imageio-webp-layouts")
        defer { try? FileManager.default.removeItem(at: folder) }
        let gray = try TestImages.random(width: 33, height: 21, layout: .gray8, seed: 40)
        guard case .uint8(let values) = gray.samples else { return }
        let rgb = try Image(width: 33, height: 21, layout: .rgb8, samples8: values.flatMap { [$0, $0, $0] })
        // v × 257 rounds back to v exactly.
        let wide = try Image(width: 33, height: 21, layout: .rgb16, samples16: rgb.samplesAs16)
        var checks: [ImageOracle.Check] = []
        let reference = folder.appendingPathComponent("rgb.npy")
        try ImageOracle.saveReference(rgb, to: reference)
        for (name, image) in [("gray.webp", gray), ("wide.webp", wide)] {
            let url = folder.appendingPathComponent(name)
            try image.write(to: url, options: ImageWriteOptions(webpLossless: true))
            checks.append(ImageOracle.Check(url, reference: reference))
        }
        for verdict in try ImageOracle.check(checks, in: folder) {
            #expect(verdict.shape_equal && verdict.max_diff == 0, "\(verdict)")
        }
    }

    @Test("Lossy WebP: quality 90 stays above 35 dB in Pillow, lower quality is smaller")
    func lossy() throws {
        let folder = try Fixtures.temporaryDirectory("imageio-webp-lossy")
        defer { try? FileManager.default.removeItem(at: folder) }
        let smooth = try TestImages.smooth(width: 320, height: 240, layout: .rgb8)
        let reference = folder.appendingPathComponent("smooth.npy")
        try ImageOracle.saveReference(smooth, to: reference)
        var checks: [ImageOracle.Check] = []
        for (name, quality) in [("q90.webp", 90), ("q50.webp", 50), ("q95.webp", 95)] {
            let url = folder.appendingPathComponent(name)
            try smooth.write(to: url, options: ImageWriteOptions(webpQuality: quality))
            checks.append(ImageOracle.Check(url, reference: reference))
        }
        let verdicts = try ImageOracle.check(checks, in: folder)
        try #require(verdicts.count == 3)
        #expect(verdicts[0].shape_equal && (verdicts[0].psnr ?? 0) >= 35, "\(verdicts[0])")
        #expect(verdicts.allSatisfy { $0.webp_lossless == false })
        func size(_ name: String) throws -> Int {
            try FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent(name).path)[.size] as? Int ?? 0
        }
        #expect(try size("q50.webp") < size("q95.webp"))
        // What ImageIO decodes from its own lossy file is what Pillow decodes from it.
        let decoded = try ImageReader.read(folder.appendingPathComponent("q90.webp"))
        let own = folder.appendingPathComponent("own.npy")
        try ImageOracle.saveReference(decoded, to: own)
        let again = try ImageOracle.check([ImageOracle.Check(folder.appendingPathComponent("q90.webp"), reference: own)], in: folder)
        #expect(again.first?.max_diff == 0, "\(String(describing: again.first))")
    }

    @Test("Sides past 16383 pixels and qualities outside 0…100 are refused before a file exists")
    func writerLimits() throws {
        let folder = try Fixtures.temporaryDirectory("imageio-webp-limits")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("out.webp")
        #expect(throws: ImageIOError.self) { try ImageWriter(url: url, width: 16384, height: 8, layout: .rgb8) }
        #expect(throws: ImageIOError.self) {
            try ImageWriter(url: url, width: 8, height: 8, layout: .rgb8, options: ImageWriteOptions(webpQuality: 101))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
    }

    @Test("The pixel limit is checked from the header, and rows come from the whole decoded image")
    func readerLimitsAndRows() throws {
        let url = try ImageOracle.fixture("webp_rgba_lossy.webp")
        #expect(throws: ImageIOError.tooManyPixels(path: url.path, width: 41, height: 29, limit: 1000)) {
            try ImageReader.read(url, maxPixels: 1000)
        }
        let whole = try ImageReader.read(url)
        let rows = try ImageRowReader(url)
        #expect(!rows.isStreaming)
        try rows.skip(rows: 10)
        let band = try rows.read(rows: 7, columns: 5..<30)
        guard case .uint8(let all) = whole.samples, case .uint8(let part) = band.samples else {
            Issue.record("8-bit samples expected")
            return
        }
        var expected: [UInt8] = []
        for row in 10..<17 {
            let start = (row * 41 + 5) * 4
            expected += all[start..<start + 25 * 4]
        }
        #expect(part == expected)
    }
}

extension Image {
    /// 8-bit samples widened to 16 bits (v × 257).
    fileprivate var samplesAs16: [UInt16] {
        guard case .uint8(let values) = samples else { return [] }
        return values.map { UInt16($0) * 257 }
    }
}
