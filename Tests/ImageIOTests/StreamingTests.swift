import Foundation
import ImageIO
import Testing
import TesseraTestSupport

@Suite("Streaming a large image in row bands")
struct StreamingTests {
    @Test("4000×3000 RGB written in bands of 64 rows reads back exactly in Pillow", arguments: ["png", "tif"])
    func bands(fileExtension: String) throws {
        let folder = try Fixtures.temporaryDirectory("imageio-stream")
        defer { try? FileManager.default.removeItem(at: folder) }
        let (width, height, band) = (4000, 3000, 64)
        // Sample (x, y, c) is (7x + 101c + 13y) mod 256, so every row differs and a misplaced row
        // or column shows. Row y is the first row plus 13y, one of 256 rows made up front.
        let first = (0..<width * 3).map { UInt8(truncatingIfNeeded: 7 * ($0 / 3) + 101 * ($0 % 3)) }
        let rows = (0..<256).map { shift in first.map { $0 &+ UInt8(shift) } }
        func row(_ y: Int) -> [UInt8] { rows[(13 * y) & 255] }

        let url = folder.appendingPathComponent("big.\(fileExtension)")
        let writer = try ImageWriter(url: url, width: width, height: height, layout: .rgb8)
        var all = [UInt8]()
        all.reserveCapacity(width * height * 3)
        for top in stride(from: 0, to: height, by: band) {
            let count = min(band, height - top)
            var samples = [UInt8]()
            samples.reserveCapacity(count * width * 3)
            for y in top..<top + count { samples.append(contentsOf: row(y)) }
            try writer.write(rows8: samples, rowCount: count)
            all.append(contentsOf: samples)
            #expect(writer.rowsWritten == top + count)
        }
        #expect(!FileManager.default.fileExists(atPath: url.path), "the file appears only on finish")
        try writer.finish()
        let reference = folder.appendingPathComponent("reference.npy")
        try Tensor(shape: [height, width, 3], scalars: all).npyData().write(to: reference)
        let verdict = try #require(try ImageOracle.check([ImageOracle.Check(url, reference: reference)], in: folder).first)
        #expect(verdict.shape_equal && verdict.max_diff == 0, "\(verdict)")
    }
}
