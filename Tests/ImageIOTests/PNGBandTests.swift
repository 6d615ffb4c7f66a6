import Foundation
@testable import ImageIO
import Testing
import TesseraTestSupport

/// PNG rows are deflated in bands on worker threads and written as IDAT chunks that make one
/// zlib stream. Pillow (OpenCV for 16-bit colour) checks the pixels; Tests/Oracles/png_stream.py
/// checks the chunks and the stream with Python's zlib against rows it filters itself.
@Suite("PNG written in bands deflated on every core", .imageFixtures)
struct PNGBandTests {
    /// What png_stream.py found in one file.
    struct StreamVerdict: Decodable {
        var file: String
        var chunks: [String]
        var crc_ok: Bool
        var header_ok: Bool
        var stream_ok: Bool
        var adler_ok: Bool
        var band_rows: [Int]
        var whole_rows: Bool
        var zlib_error: String?

        var valid: Bool { crc_ok && header_ok && stream_ok && adler_ok && whole_rows }
    }

    static func streamVerdicts(_ checks: [ImageOracle.Check], in folder: URL) throws -> [StreamVerdict] {
        let spec = folder.appendingPathComponent("stream-\(UUID().uuidString).json")
        try JSONEncoder().encode(checks).write(to: spec)
        let output = try runPython("Tests/Oracles/png_stream.py", ["check", spec.path])
        return try JSONDecoder().decode([StreamVerdict].self, from: Data(output.utf8))
    }

    /// Writes `image` in blocks of `blockRows` rows, which straddle the writer's bands, and saves
    /// its samples beside it as the oracles' reference.
    static func write(_ image: Image, to url: URL, blockRows: Int = 7, options: ImageWriteOptions = .init()) throws
        -> ImageOracle.Check
    {
        let writer = try ImageWriter(
            url: url, width: image.width, height: image.height, layout: image.layout, options: options)
        let rowSamples = image.width * image.layout.channels
        for top in stride(from: 0, to: image.height, by: blockRows) {
            let rows = min(blockRows, image.height - top)
            let range = top * rowSamples..<(top + rows) * rowSamples
            switch image.samples {
            case .uint8(let values): try writer.write(rows8: Array(values[range]), rowCount: rows)
            case .uint16(let values): try writer.write(rows16: Array(values[range]), rowCount: rows)
            }
        }
        try writer.finish()
        let reference = url.appendingPathExtension("npy")
        try ImageOracle.saveReference(image, to: reference)
        return ImageOracle.Check(url, reference: reference)
    }

    @Test("Band boundaries ±1, one row, one column, 16-bit, alpha and ICC decode exactly; the stream validates")
    func bandBoundaries() throws {
        let folder = try Fixtures.temporaryDirectory("imageio-png-bands")
        defer { try? FileManager.default.removeItem(at: folder) }
        let width = 1024
        func rgb(_ height: Int, seed: UInt64) throws -> Image {
            try TestImages.random(width: width, height: height, layout: .rgb8, seed: seed)
        }

        // The band height for 3 KiB rows, as the file shows it: rows decodable after each IDAT.
        let probe = try Self.write(rgb(600, seed: 1), to: folder.appendingPathComponent("probe.png"))
        let probed = try #require(try Self.streamVerdicts([probe], in: folder).first)
        try #require(probed.valid && probed.band_rows.count >= 2, "600 rows of 3 KiB make several bands: \(probed)")
        let band = probed.band_rows[0]

        let profile = try Data(contentsOf: ImageOracle.fixture("png_icc.icc"))
        let cases: [(name: String, image: Image, options: ImageWriteOptions)] = [
            ("one-row.png", try rgb(1, seed: 2), .init()),
            ("band-minus-one.png", try rgb(band - 1, seed: 3), .init()),
            ("one-band.png", try rgb(band, seed: 4), .init()),
            ("band-plus-one.png", try rgb(band + 1, seed: 5), .init()),
            ("two-bands-plus-one.png", try rgb(2 * band + 1, seed: 6), .init()),
            ("one-column.png", try TestImages.random(width: 1, height: 1000, layout: .grayAlpha8, seed: 7), .init()),
            ("rgba16.png", try TestImages.random(width: 300, height: 3 * band + 1, layout: .rgba16, seed: 8), .init()),
            ("gray16.png", try TestImages.random(width: 517, height: 333, layout: .gray16, seed: 9), .init()),
            ("icc.png", try rgb(2 * band + 1, seed: 10), ImageWriteOptions(iccProfile: profile)),
        ]
        var checks: [ImageOracle.Check] = []
        for (name, image, options) in cases {
            checks.append(try Self.write(image, to: folder.appendingPathComponent(name), options: options))
        }
        checks[checks.count - 1].icc = try ImageOracle.fixture("png_icc.icc").path
        let pixels = try ImageOracle.check(checks, in: folder)
        let streams = try Self.streamVerdicts(checks, in: folder)
        try #require(pixels.count == cases.count && streams.count == cases.count)
        for (index, (name, image, _)) in cases.enumerated() {
            #expect(pixels[index].shape_equal && pixels[index].max_diff == 0, "\(name): \(pixels[index])")
            let stream = streams[index]
            #expect(stream.valid, "\(name): \(stream)")
            #expect(stream.band_rows.reduce(0, +) == image.height, "\(name): \(stream.band_rows)")
            // Signature and header chunks, then the IDAT chunks together, then IEND.
            let idats = stream.chunks.indices.filter { stream.chunks[$0] == "IDAT" }
            #expect(stream.chunks.first == "IHDR" && stream.chunks.last == "IEND", "\(name): \(stream.chunks)")
            #expect(idats.last.map { $0 - idats[0] + 1 == idats.count && $0 == stream.chunks.count - 2 } == true)
            if image.width == width && image.layout == .rgb8 {
                // Full bands, then the remainder.
                let remainder = image.height % band
                let expected = Array(repeating: band, count: image.height / band) + (remainder > 0 ? [remainder] : [])
                #expect(stream.band_rows == expected, "\(name)")
            }
        }
        #expect(streams[6].band_rows.count >= 2, "16-bit RGBA over several bands: \(streams[6].band_rows)")
        #expect(streams[8].chunks.prefix(2) == ["IHDR", "iCCP"])
        #expect(pixels[8].icc_equal == true)
        #expect(try ImageReader.read(folder.appendingPathComponent("icc.png")).iccProfile == profile)
    }

    @Test("A full disk fails with the system's reason, and the writer stays failed without crashing")
    func fullDisk() throws {
        try #require(FileManager.default.isWritableFile(atPath: "/dev/full"))
        let (width, height) = (1024, 400)
        let image = try TestImages.random(width: width, height: height, layout: .rgb8, seed: 11)
        guard case .uint8(let samples) = image.samples else { return }
        let encoder = try Encoder(
            path: "/dev/full", format: .png, width: width, height: height, layout: .rgb8, options: .init(),
            bigTIFF: false)
        var failure: CodecFailure?
        do {
            try encoder.write(samples, rowCount: height)
            try encoder.finish()
        } catch {
            failure = error
        }
        let reported = try #require(failure, "writing 1.2 MB to /dev/full succeeded")
        #expect(reported.kind == .system && reported.message.contains("No space left on device"), "\(reported)")
        #expect(throws: CodecFailure.self) { try encoder.finish() }
    }

    @Test("Cancelling while bands are still compressing leaves no file")
    func cancelInFlight() throws {
        let folder = try Fixtures.temporaryDirectory("imageio-png-cancel")
        defer { try? FileManager.default.removeItem(at: folder) }
        let image = try TestImages.random(width: 2048, height: 300, layout: .rgb8, seed: 12)
        guard case .uint8(let samples) = image.samples else { return }
        let url = folder.appendingPathComponent("out.png")
        let writer = try ImageWriter(url: url, width: 2048, height: 600, layout: .rgb8)
        try writer.write(rows8: samples, rowCount: 300)
        writer.cancel()
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
    }
}
