import Foundation
import ImageIO
import Testing
import TesseraTestSupport

@Suite("AVIF written through libavif and libaom, checked by Pillow's own libavif and by libheif's heif-convert")
struct AVIFWriteTests {
    @Test("Lossless AVIF reads back exactly in Pillow, alpha included; gray is stored as RGB")
    func lossless() throws {
        let folder = try Fixtures.temporaryDirectory("imageio-avif-lossless")
        defer { try? FileManager.default.removeItem(at: folder) }
        for (seed, layout) in [PixelLayout.rgb8, .rgba8].enumerated() {
            let image = try TestImages.random(width: 41, height: 27, layout: layout, seed: UInt64(seed + 50))
            let verdict = try ImageOracle.writeAndCheck(
                image, to: folder.appendingPathComponent("\(layout.channels).avif"),
                options: ImageWriteOptions(avifLossless: true))
            #expect(verdict.shape_equal && verdict.max_diff == 0, "\(verdict)")
            #expect(verdict.decoder == "pillow")
        }
        let gray = try TestImages.random(width: 33, height: 21, layout: .grayAlpha8, seed: 52)
        guard case .uint8(let values) = gray.samples else { return }
        let widened = stride(from: 0, to: values.count, by: 2).flatMap { [values[$0], values[$0], values[$0], values[$0 + 1]] }
        let reference = folder.appendingPathComponent("widened.npy")
        try ImageOracle.saveReference(try Image(width: 33, height: 21, layout: .rgba8, samples8: widened), to: reference)
        let url = folder.appendingPathComponent("gray.avif")
        try gray.write(to: url, options: ImageWriteOptions(avifLossless: true))
        let verdicts = try ImageOracle.check([ImageOracle.Check(url, reference: reference)], in: folder)
        #expect(verdicts.first?.shape_equal == true && verdicts.first?.max_diff == 0, "\(verdicts)")
    }

    @Test("16-bit rows are stored as 10-bit samples: lossless 10-bit values come back exactly from heif-convert")
    func tenBit() throws {
        let folder = try Fixtures.temporaryDirectory("imageio-avif-10bit")
        defer { try? FileManager.default.removeItem(at: folder) }
        // Values on the 10-bit grid, widened as round(v × 65535 / 1023), survive 16 → 10 → 16 bits.
        var generator = SeededGenerator(seed: 54)
        let samples = (0..<(29 * 19 * 4)).map { _ in
            UInt16((Int.random(in: 0...1023, using: &generator) * 65535 + 511) / 1023)
        }
        let image = try Image(width: 29, height: 19, layout: .rgba16, samples16: samples)
        let url = folder.appendingPathComponent("deep.avif")
        try image.write(to: url, options: ImageWriteOptions(avifLossless: true))
        let reference = folder.appendingPathComponent("deep.npy")
        try ImageOracle.saveReference(image, to: reference)
        let verdicts = try ImageOracle.check(
            [ImageOracle.Check(url, reference: reference, decoder: "heif-convert", bits: 10)], in: folder)
        #expect(verdicts.first?.shape_equal == true && verdicts.first?.max_diff == 0, "\(verdicts)")
        // Tessera's own reader widens through libavif's float conversion, which rounds a sample
        // within 0.002 of a half the other way: at most 1 of 65535 apart.
        guard case .uint16(let read) = try ImageReader.read(url).samples else {
            Issue.record("16-bit samples expected")
            return
        }
        #expect(zip(read, samples).allSatisfy { abs(Int($0) - Int($1)) <= 1 } && read.count == samples.count)
    }

    @Test("Lossy AVIF: quality 80 stays above 35 dB in Pillow, lower quality is smaller")
    func lossy() throws {
        let folder = try Fixtures.temporaryDirectory("imageio-avif-lossy")
        defer { try? FileManager.default.removeItem(at: folder) }
        let smooth = try TestImages.smooth(width: 160, height: 120, layout: .rgb8)
        let reference = folder.appendingPathComponent("smooth.npy")
        try ImageOracle.saveReference(smooth, to: reference)
        var checks: [ImageOracle.Check] = []
        for (name, quality) in [("q80.avif", 80), ("q30.avif", 30), ("q95.avif", 95)] {
            let url = folder.appendingPathComponent(name)
            try smooth.write(to: url, options: ImageWriteOptions(avifQuality: quality))
            checks.append(ImageOracle.Check(url, reference: reference))
        }
        let verdicts = try ImageOracle.check(checks, in: folder)
        try #require(verdicts.count == 3)
        #expect(verdicts[0].shape_equal && (verdicts[0].psnr ?? 0) >= 35, "\(verdicts[0])")
        #expect(verdicts[2].shape_equal && (verdicts[2].psnr ?? 0) > (verdicts[1].psnr ?? 0), "\(verdicts)")
        func size(_ name: String) throws -> Int {
            try FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent(name).path)[.size] as? Int ?? 0
        }
        #expect(try size("q30.avif") < size("q95.avif"))
    }

    @Test("Qualities outside 0…100 and sides past 65536 pixels are refused before a file exists")
    func writerLimits() throws {
        let folder = try Fixtures.temporaryDirectory("imageio-avif-limits")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("out.avif")
        #expect(throws: ImageIOError.self) { try ImageWriter(url: url, width: 65537, height: 8, layout: .rgb8) }
        #expect(throws: ImageIOError.self) {
            try ImageWriter(url: url, width: 8, height: 8, layout: .rgb8, options: ImageWriteOptions(avifQuality: -1))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
    }
}
