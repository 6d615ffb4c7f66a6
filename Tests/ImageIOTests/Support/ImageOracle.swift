import Foundation
import ImageIO
import Testing
import TesseraTestSupport

/// Tests/Oracles/pillow_images.py: Pillow (OpenCV and tifffile where Pillow drops bits; its wheel's
/// own libwebp for WebP) as the independent writer of what ImageIO reads and reader of what it writes.
enum ImageOracle {
    static let script = "Tests/Oracles/pillow_images.py"

    /// One fixture the oracle wrote, with the pixels Pillow decodes from it.
    struct Case: Decodable, CustomStringConvertible {
        var name: String
        var file: String
        var expected: String
        var tolerance: Int
        var icc: String?
        var orientation: Int
        var description: String { name }
    }

    /// The folder of fixtures, made once for the suites that carry ``FixtureFolder``.
    @TaskLocal static var folder: URL?

    static func fixtureFolder() throws -> URL {
        try #require(folder, "the suite needs the .imageFixtures trait")
    }

    static func fixture(_ name: String) throws -> URL { try fixtureFolder().appendingPathComponent(name) }

    static func cases() throws -> [Case] {
        try JSONDecoder().decode([Case].self, from: Data(contentsOf: fixture("cases.json")))
    }

    static func unsupportedFiles() throws -> [URL] {
        try JSONDecoder().decode([String].self, from: Data(contentsOf: fixture("unsupported.json"))).map(fixture)
    }

    /// A uint8 or uint16 .npy array's shape and samples.
    static func load(_ npy: URL) throws -> (shape: [Int], samples: Image.Samples) {
        let tensor = try Tensor(npy: Data(contentsOf: npy))
        switch tensor.dataType {
        case .uint8: return (tensor.shape, .uint8(try tensor.scalars(as: UInt8.self)))
        case .uint16: return (tensor.shape, .uint16(try tensor.scalars(as: UInt16.self)))
        default: throw OracleError(message: "\(npy.lastPathComponent) holds \(tensor.dataType), not uint8 or uint16")
        }
    }

    struct OracleError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    /// Saves an image's samples as a height × width × channels .npy reference.
    static func saveReference(_ image: Image, to url: URL) throws {
        let shape = [image.height, image.width, image.layout.channels]
        let tensor: Tensor
        switch image.samples {
        case .uint8(let values): tensor = try Tensor(shape: shape, scalars: values)
        case .uint16(let values): tensor = try Tensor(shape: shape, scalars: values)
        }
        try tensor.npyData().write(to: url)
    }

    /// What the oracle found in one written file.
    struct Verdict: Decodable {
        var file: String
        var shape_equal: Bool
        var max_diff: Int?
        var psnr: Double?
        var icc_equal: Bool?
        var decoder: String
        var progressive: Bool?
        var interlaced: Bool?
        var bigtiff: Bool?
        var tiled: Bool?
        var compression: String?
        var bits: Int?
        var webp_lossless: Bool?
    }

    /// One file to check against a reference .npy (integers, or floats to quantize to `quantize` bits).
    struct Check: Encodable {
        var file: String
        var reference: String
        var quantize: Int?
        var icc: String?
        /// "heif-convert" to decode with libheif's tool rather than Pillow, which reduces AVIF to 8 bits.
        var decoder: String?
        /// The file's bits per sample, which heif-convert's 16-bit output is rescaled from.
        var bits: Int?

        init(_ file: URL, reference: URL, quantize: Int? = nil, icc: URL? = nil, decoder: String? = nil, bits: Int? = nil) {
            self.file = file.path
            self.reference = reference.path
            self.quantize = quantize
            self.icc = icc?.path
            self.decoder = decoder
            self.bits = bits
        }
    }

    /// Decodes every file with the oracle and compares it with its reference.
    static func check(_ checks: [Check], in folder: URL) throws -> [Verdict] {
        let spec = folder.appendingPathComponent("check-\(UUID().uuidString).json")
        try JSONEncoder().encode(checks).write(to: spec)
        let output = try runPython(script, ["check", spec.path])
        return try JSONDecoder().decode([Verdict].self, from: Data(output.utf8))
    }

    /// Writes `image` with ImageIO, then has the oracle decode it; returns its verdict.
    static func writeAndCheck(
        _ image: Image, to url: URL, options: ImageWriteOptions = .init(), icc: URL? = nil
    ) throws -> Verdict {
        try image.write(to: url, options: options)
        let reference = url.appendingPathExtension("npy")
        try saveReference(image, to: reference)
        return try #require(check([Check(url, reference: reference, icc: icc)], in: url.deletingLastPathComponent()).first)
    }
}

/// Gives a suite one fixture folder from `pillow_images.py make`, removed after the suite.
struct FixtureFolder: SuiteTrait, TestScoping {
    func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        let folder = try Fixtures.temporaryDirectory("imageio-fixtures")
        defer { try? FileManager.default.removeItem(at: folder) }
        _ = try runPython(ImageOracle.script, ["make", folder.path])
        try await ImageOracle.$folder.withValue(folder) { try await function() }
    }
}

extension Trait where Self == FixtureFolder {
    static var imageFixtures: Self { FixtureFolder() }
}

/// Seeded random images for the write tests.
enum TestImages {
    static func random(width: Int, height: Int, layout: PixelLayout, seed: UInt64) throws -> Image {
        var generator = SeededGenerator(seed: seed)
        let count = width * height * layout.channels
        if layout.bitDepth == 16 {
            let values = (0..<count).map { _ in UInt16.random(in: .min ... .max, using: &generator) }
            return try Image(width: width, height: height, layout: layout, samples16: values)
        }
        let values = (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return try Image(width: width, height: height, layout: layout, samples8: values)
    }

    /// Smooth content (as photographs are), where JPEG's error is small.
    static func smooth(width: Int, height: Int, layout: PixelLayout) throws -> Image {
        var values = [UInt8]()
        values.reserveCapacity(width * height * layout.channels)
        for y in 0..<height {
            for x in 0..<width {
                for channel in 0..<layout.channels {
                    let phase = Double(channel) * 1.7
                    let value = 0.5 + 0.35 * sin(Double(x) * 0.043 + phase) * cos(Double(y) * 0.031 - phase)
                    values.append(UInt8((value * 255).rounded()))
                }
            }
        }
        return try Image(width: width, height: height, layout: layout, samples8: values)
    }
}
