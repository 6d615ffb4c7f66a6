import Foundation
@testable import ImageIO
import Testing
import TesseraTestSupport

@Suite("Writing files that Pillow reads", .imageFixtures)
struct WriteTests {
    static let layouts: [PixelLayout] = [.gray8, .grayAlpha8, .rgb8, .rgba8, .gray16, .grayAlpha16, .rgb16, .rgba16]

    @Test("PNG and TIFF in every layout read back exactly", arguments: ["png", "tif"], layouts)
    func lossless(fileExtension: String, layout: PixelLayout) throws {
        let folder = try Fixtures.temporaryDirectory("imageio-write")
        defer { try? FileManager.default.removeItem(at: folder) }
        let image = try TestImages.random(width: 41, height: 27, layout: layout, seed: UInt64(layout.channels * layout.bitDepth))
        let verdict = try ImageOracle.writeAndCheck(image, to: folder.appendingPathComponent("out.\(fileExtension)"))
        #expect(verdict.shape_equal && verdict.max_diff == 0, "\(verdict)")
    }

    @Test("Interlaced PNG, tiled and compressed TIFF, and BigTIFF read back exactly")
    func variants() throws {
        let folder = try Fixtures.temporaryDirectory("imageio-variants")
        defer { try? FileManager.default.removeItem(at: folder) }
        let rgb = try TestImages.random(width: 300, height: 270, layout: .rgb8, seed: 1)
        let rgba16 = try TestImages.random(width: 300, height: 270, layout: .rgba16, seed: 2)
        let outputs: [(String, Image, ImageWriteOptions)] = [
            ("interlaced.png", rgb, ImageWriteOptions(pngInterlaced: true)),
            ("interlaced16.png", rgba16, ImageWriteOptions(pngInterlaced: true)),
            ("tiled.tif", rgb, ImageWriteOptions(tiffTiled: true)),
            ("tiled16.tif", rgba16, ImageWriteOptions(tiffTiled: true, tiffCompression: .deflate)),
            ("lzw.tif", rgb, ImageWriteOptions(tiffCompression: .lzw)),
            ("deflate.tif", rgba16, ImageWriteOptions(tiffCompression: .deflate)),
            ("big.tif", rgb, ImageWriteOptions(forceBigTIFF: true)),
            ("big-tiled.tif", rgba16, ImageWriteOptions(tiffTiled: true, forceBigTIFF: true)),
        ]
        var checks: [ImageOracle.Check] = []
        for (name, image, options) in outputs {
            let url = folder.appendingPathComponent(name)
            try image.write(to: url, options: options)
            let reference = url.appendingPathExtension("npy")
            try ImageOracle.saveReference(image, to: reference)
            checks.append(ImageOracle.Check(url, reference: reference))
        }
        let verdicts = try ImageOracle.check(checks, in: folder)
        try #require(verdicts.count == outputs.count)
        for verdict in verdicts { #expect(verdict.shape_equal && verdict.max_diff == 0, "\(verdict)") }
        #expect(verdicts[0].interlaced == true && verdicts[1].interlaced == true)
        #expect(verdicts[2].tiled == true && verdicts[3].tiled == true && verdicts[7].tiled == true)
        #expect(verdicts[2].bigtiff == false)
        #expect(verdicts[3].compression == "ADOBE_DEFLATE" && verdicts[4].compression == "LZW")
        #expect(verdicts[6].bigtiff == true && verdicts[7].bigtiff == true)
        // And ImageIO reads its own BigTIFF back.
        #expect(try ImageReader.read(folder.appendingPathComponent("big-tiled.tif")).samples == rgba16.samples)
    }

    @Test("BigTIFF is chosen when the file could pass 4 GiB")
    func bigTIFFDecision() {
        func needs(_ width: Int, _ height: Int, _ layout: PixelLayout, _ compression: ImageWriteOptions.TIFFCompression = .none)
            -> Bool
        {
            ImageWriter.needsBigTIFF(width: width, height: height, layout: layout, compression: compression, iccBytes: 0)
        }
        // Classic TIFF's offsets end at 4 GiB = 4 294 967 296 bytes.
        #expect(!needs(32000, 32000, .rgb8))  // 3.07 GB
        #expect(!needs(32000, 32000, .rgba8))  // 4.10 GB: still 199 MB below the limit
        #expect(needs(33000, 33000, .rgba8))  // 4.36 GB
        #expect(needs(32000, 32000, .rgb16))  // 6.14 GB
        #expect(!needs(4000, 3000, .rgba16, .lzw))
        // LZW can expand incompressible samples, so 3.07 GB of them might not fit.
        #expect(needs(32000, 32000, .rgb8, .lzw))
    }

    @Test("Floats are clamped to [0, 1] and rounded to 8 or 16 bits", arguments: [8, 16])
    func quantizesFloats(bitDepth: Int) throws {
        let folder = try Fixtures.temporaryDirectory("imageio-floats")
        defer { try? FileManager.default.removeItem(at: folder) }
        let (width, height) = (53, 31)
        var generator = SeededGenerator(seed: UInt64(bitDepth))
        // Model outputs overshoot [0, 1] on both sides; a NaN must not crash or wrap.
        var values = (0..<width * height * 3).map { _ in Float.random(in: -0.25...1.25, using: &generator) }
        values[5] = .nan
        values[6] = .infinity
        values[7] = -.infinity
        let reference = folder.appendingPathComponent("floats.npy")
        try Tensor(shape: [height, width, 3], scalars: values).npyData().write(to: reference)
        var checks: [ImageOracle.Check] = []
        for name in ["out.png", "out.tif"] {
            let url = folder.appendingPathComponent(name)
            let writer = try ImageWriter(
                url: url, width: width, height: height, layout: PixelLayout(channels: 3, bitDepth: bitDepth))
            for top in stride(from: 0, to: height, by: 8) {
                let rows = min(8, height - top)
                try writer.write(rows: Array(values[top * width * 3..<(top + rows) * width * 3]), rowCount: rows)
            }
            try writer.finish()
            checks.append(ImageOracle.Check(url, reference: reference, quantize: bitDepth))
        }
        for verdict in try ImageOracle.check(checks, in: folder) {
            #expect(verdict.shape_equal && verdict.max_diff == 0 && verdict.bits.map { $0 == bitDepth } != false, "\(verdict)")
        }
    }

    @Test("JPEG: quality 92 stays within 35 dB, lower quality is smaller, progressive is progressive")
    func jpeg() throws {
        let folder = try Fixtures.temporaryDirectory("imageio-jpeg")
        defer { try? FileManager.default.removeItem(at: folder) }
        let rgb = try TestImages.smooth(width: 320, height: 240, layout: .rgb8)
        let gray = try TestImages.smooth(width: 320, height: 240, layout: .gray8)
        var checks: [ImageOracle.Check] = []
        for (name, image, options) in [
            ("q92.jpg", rgb, ImageWriteOptions()), ("q50.jpg", rgb, ImageWriteOptions(jpegQuality: 50)),
            ("q95.jpg", rgb, ImageWriteOptions(jpegQuality: 95)),
            ("progressive.jpg", rgb, ImageWriteOptions(progressiveJPEG: true)), ("gray.jpg", gray, ImageWriteOptions()),
        ] {
            let url = folder.appendingPathComponent(name)
            try image.write(to: url, options: options)
            let reference = url.appendingPathExtension("npy")
            try ImageOracle.saveReference(image, to: reference)
            checks.append(ImageOracle.Check(url, reference: reference))
        }
        let verdicts = try ImageOracle.check(checks, in: folder)
        try #require(verdicts.count == 5)
        for verdict in verdicts where !verdict.file.hasSuffix("q50.jpg") {
            #expect(verdict.shape_equal && (verdict.psnr ?? 0) >= 35, "\(verdict)")
        }
        #expect(verdicts[0].progressive == false && verdicts[3].progressive == true)
        func size(_ name: String) throws -> Int {
            try FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent(name).path)[.size] as? Int ?? 0
        }
        #expect(try size("q50.jpg") < size("q95.jpg"))
    }

    @Test("JPEG takes 16-bit rows rounded to 8 bits, and refuses alpha")
    func jpegLimits() throws {
        let folder = try Fixtures.temporaryDirectory("imageio-jpeg16")
        defer { try? FileManager.default.removeItem(at: folder) }
        let smooth = try TestImages.smooth(width: 160, height: 120, layout: .rgb8)
        guard case .uint8(let values) = smooth.samples else { return }
        // The same picture in 16 bits: v × 257 reduces to v exactly.
        let wide = try Image(width: 160, height: 120, layout: .rgb16, samples16: values.map { UInt16($0) * 257 })
        let url = folder.appendingPathComponent("wide.jpg")
        try wide.write(to: url)
        let reference = folder.appendingPathComponent("smooth.npy")
        try ImageOracle.saveReference(smooth, to: reference)
        let verdict = try #require(try ImageOracle.check([ImageOracle.Check(url, reference: reference)], in: folder).first)
        #expect(verdict.shape_equal && (verdict.psnr ?? 0) >= 35, "\(verdict)")

        let alpha = folder.appendingPathComponent("alpha.jpg")
        #expect(throws: ImageIOError.self) {
            try ImageWriter(url: alpha, width: 8, height: 8, layout: .rgba8)
        }
        #expect(!FileManager.default.fileExists(atPath: alpha.path))
    }

    @Test("ICC profiles survive: PNG iCCP, JPEG APP2 over several chunks, TIFF tag 34675, WebP ICCP, AVIF colr")
    func iccProfiles() throws {
        let folder = try Fixtures.temporaryDirectory("imageio-icc")
        defer { try? FileManager.default.removeItem(at: folder) }
        let srgb = try ImageOracle.fixture("png_icc.icc")
        let large = try ImageOracle.fixture("jpeg_icc.icc")  // 150 kB: three APP2 chunks
        let rgb = try TestImages.random(width: 40, height: 30, layout: .rgb8, seed: 7)
        var checks: [ImageOracle.Check] = []
        for (name, profile) in [
            ("icc.png", srgb), ("icc.jpg", large), ("icc.tif", large), ("icc.webp", large), ("icc.avif", large),
        ] {
            let url = folder.appendingPathComponent(name)
            try rgb.write(to: url, options: ImageWriteOptions(iccProfile: try Data(contentsOf: profile)))
            let reference = url.appendingPathExtension("npy")
            try ImageOracle.saveReference(rgb, to: reference)
            checks.append(ImageOracle.Check(url, reference: reference, icc: profile))
            #expect(try ImageReader.read(url).iccProfile == (try Data(contentsOf: profile)), "\(name)")
        }
        for verdict in try ImageOracle.check(checks, in: folder) { #expect(verdict.icc_equal == true, "\(verdict)") }
    }
}
