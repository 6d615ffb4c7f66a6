import Foundation
import ImageIO
import Testing
import TesseraTestSupport

@Suite("Reading files that Pillow wrote", .imageFixtures)
struct ReadTests {
    @Test("Every fixture decodes to Pillow's pixels, upright, with its ICC profile", arguments: ["png", "jpeg", "tiff", "webp", "avif", "heif", "jxl"])
    func decodesLikePillow(format: String) throws {
        let cases = try ImageOracle.cases().filter { $0.name.hasPrefix(format + "_") }
        #expect(cases.count >= 7)
        for fixture in cases {
            let image = try ImageReader.read(try ImageOracle.fixture(fixture.file))
            let expected = try ImageOracle.load(try ImageOracle.fixture(fixture.expected))
            #expect([image.height, image.width, image.layout.channels] == expected.shape, "\(fixture)")
            #expect(image.samples.count == expected.samples.count, "\(fixture)")
            guard image.samples.count == expected.samples.count else { continue }
            let difference = largestDifference(image.samples, expected.samples)
            #expect(difference != nil, "\(fixture): 8-bit against 16-bit")
            #expect((difference ?? .max) <= fixture.tolerance, "\(fixture): samples differ by \(difference ?? -1)")
            let icc = try fixture.icc.map { try Data(contentsOf: ImageOracle.fixture($0)) }
            #expect(image.iccProfile == icc, "\(fixture): ICC profile")
        }
    }

    @Test("The header alone gives size, layout, format, orientation and profile")
    func info() throws {
        let byName = Dictionary(uniqueKeysWithValues: try ImageOracle.cases().map { ($0.name, $0) })
        let expectations: [(name: String, layout: PixelLayout, format: ImageFormat)] = [
            ("png_palette_alpha", .rgba8, .png), ("png_gray_alpha16", .grayAlpha16, .png), ("png_gray1", .gray8, .png),
            ("png_icc", .rgb8, .png), ("png_orientation6", .rgb8, .png), ("jpeg_gray", .gray8, .jpeg),
            ("jpeg_orientation8", .rgb8, .jpeg), ("jpeg_icc", .rgb8, .jpeg), ("tiff_rgba16", .rgba16, .tiff),
            ("tiff_palette", .rgb8, .tiff), ("tiff_orientation6", .rgb8, .tiff), ("tiff_icc", .rgb8, .tiff),
            ("webp_rgba_lossy", .rgba8, .webp), ("webp_gray", .rgb8, .webp), ("webp_orientation6", .rgb8, .webp),
            ("webp_icc", .rgb8, .webp), ("avif_rgba", .rgba8, .avif), ("avif_orientation5", .rgb8, .avif),
            ("avif_icc", .rgb8, .avif), ("heif_rgba10", .rgba16, .heif), ("heif_icc", .rgb8, .heif),
            ("heif_rotated", .rgb8, .heif),
            ("jxl_gray_alpha8", .grayAlpha8, .jxl), ("jxl_rgb16", .rgb16, .jxl), ("jxl_orientation6", .rgb8, .jxl),
            ("jxl_icc", .rgb8, .jxl),
        ]
        for expectation in expectations {
            let fixture = try #require(byName[expectation.name])
            let info = try ImageReader.info(try ImageOracle.fixture(fixture.file))
            let expected = try ImageOracle.load(try ImageOracle.fixture(fixture.expected))
            #expect([info.height, info.width] == Array(expected.shape.prefix(2)), "\(fixture)")
            #expect(info.layout == expectation.layout, "\(fixture)")
            #expect(info.format == expectation.format, "\(fixture)")
            #expect(info.orientation == fixture.orientation, "\(fixture)")
            let icc = try fixture.icc.map { try Data(contentsOf: ImageOracle.fixture($0)) }
            #expect(info.iccProfile == icc, "\(fixture)")
        }
    }

    @Test("The format comes from the first bytes, not the extension")
    func sniffsContent() throws {
        let folder = try Fixtures.temporaryDirectory("imageio-sniff")
        defer { try? FileManager.default.removeItem(at: folder) }
        let misnamed = folder.appendingPathComponent("really-a-png.jpg")
        try FileManager.default.copyItem(at: try ImageOracle.fixture("png_rgb8.png"), to: misnamed)
        let image = try ImageReader.read(misnamed)
        let expected = try ImageOracle.load(try ImageOracle.fixture("png_rgb8.npy"))
        #expect(image.samples == expected.samples)
        #expect(try ImageReader.info(misnamed).format == .png)
    }

    @Test("A region past the edges repeats the edge pixels, as numpy's edge padding does")
    func edgeClampedPlane() throws {
        let image = try ImageReader.read(try ImageOracle.fixture("png_rgb8.png"))
        let expected = try Tensor(npy: Data(contentsOf: try ImageOracle.fixture("plane_rgb8_g.npy")))
        let plane = image.plane(channel: 1, x: -7, y: 15, width: 50, height: 12)
        #expect(expected.shape == [12, 50])
        #expect(plane == (try expected.scalars(as: Float.self)))
        // sample(x:y:channel:) reads the same scale: the region's first in-image pixel.
        #expect(image.sample(x: 0, y: 15, channel: 1) == plane[7])
    }

    private func largestDifference(_ a: Image.Samples, _ b: Image.Samples) -> Int? {
        switch (a, b) {
        case (.uint8(let x), .uint8(let y)): zip(x, y).map { abs(Int($0) - Int($1)) }.max() ?? 0
        case (.uint16(let x), .uint16(let y)): zip(x, y).map { abs(Int($0) - Int($1)) }.max() ?? 0
        default: nil
        }
    }
}
