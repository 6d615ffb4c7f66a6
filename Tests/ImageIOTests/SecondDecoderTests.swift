import Foundation
import ImageIO
import Testing
import TesseraTestSupport

/// HEIF and JPEG XL read by Tessera against decoders built apart from Debian's libheif and libjxl
/// (pillow-heif's, pillow-jxl-plugin's) or against the pixels cjxl compressed losslessly:
/// `Tests/Oracles/second_decoders.py`.
@Suite("HEIF and JPEG XL against decoders that share no code with Tessera's")
struct SecondDecoderTests {
    private struct Case: Decodable {
        var file: String
        var expected: String
        var tolerance: Int
    }

    @Test("pillow-heif's HEIC (8-bit, alpha, 10-bit, irot/imir), cjxl's lossless JPEG XL and the plugin's lossy one")
    func decodesAsTheSecondDecoder() throws {
        let folder = try Fixtures.temporaryDirectory("imageio-second-decoders")
        defer { try? FileManager.default.removeItem(at: folder) }
        _ = try runPython("Tests/Oracles/second_decoders.py", ["make", folder.path])
        let cases = try JSONDecoder().decode([Case].self, from: Data(contentsOf: folder.appendingPathComponent("cases.json")))
        #expect(cases.count == 9)
        for entry in cases {
            let image = try ImageReader.read(folder.appendingPathComponent(entry.file))
            let expected = try ImageOracle.load(folder.appendingPathComponent(entry.expected))
            #expect([image.height, image.width, image.layout.channels] == expected.shape, "\(entry.file)")
            let difference: Int? =
                switch (image.samples, expected.samples) {
                case (.uint8(let a), .uint8(let b)) where a.count == b.count:
                    zip(a, b).map { abs(Int($0) - Int($1)) }.max() ?? 0
                case (.uint16(let a), .uint16(let b)) where a.count == b.count:
                    zip(a, b).map { abs(Int($0) - Int($1)) }.max() ?? 0
                default: nil
                }
            #expect((difference ?? .max) <= entry.tolerance, "\(entry.file): samples differ by \(difference ?? -1)")
        }
    }
}
