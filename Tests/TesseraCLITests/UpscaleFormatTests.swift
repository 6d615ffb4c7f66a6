import Foundation
import Testing
import TesseraTestSupport

/// `tessera upscale` from and to the photo formats beyond PNG/JPEG/TIFF: HEIC and JPEG XL in,
/// WebP and AVIF out. Each run is compared with the same model on a PNG of the pixels another
/// program decoded (heif-convert, djxl), so a wrong decode, a wrong size or a lossy write shows.
@Suite("tessera upscale, HEIC and JPEG XL in, WebP and AVIF out")
struct UpscaleFormatTests {
    static let model = Fixtures.repositoryRoot.appendingPathComponent("fixtures/srvgg-x4.onnx")

    @Test("photo.heic → photo-x4.webp and photo.jxl → photo-x4.avif (lossless) equal the upscale of the decoders' PNG", arguments: [
        ("heif-enc", ["-q", "90"], "heif-convert", "photo.heic", "photo-x4.webp"),
        ("cjxl", ["-d", "1"], "djxl", "photo.jxl", "photo-x4.avif"),
    ])
    func endToEnd(encoder: String, options: [String], decoder: String, input: String, output: String) throws {
        let folder = try Fixtures.temporaryDirectory("upscale-formats")
        defer { try? FileManager.default.removeItem(at: folder) }
        let environment = ["TESSERA_CACHE": folder.appendingPathComponent("cache").path]
        let crop = folder.appendingPathComponent("crop.png")
        _ = try runPython("Tests/Oracles/photo_input.py", [
            try Fixtures.samplePhoto("chelsea.png").path, "200", "80", "48", "40",
            folder.appendingPathComponent("crop.npy").path, "--png", crop.path,
        ])
        let photo = folder.appendingPathComponent(input)
        let encoderArguments = encoder == "heif-enc" ? options + ["-o", photo.path, crop.path] : [crop.path, photo.path] + options
        #expect(try runProcess(URL(fileURLWithPath: "/usr/bin/" + encoder), encoderArguments).status == 0)
        let decoded = folder.appendingPathComponent("decoded.png")
        #expect(try runProcess(URL(fileURLWithPath: "/usr/bin/" + decoder), [photo.path, decoded.path]).status == 0)

        let upscaled = folder.appendingPathComponent(output)
        let reference = folder.appendingPathComponent("reference-x4.png")
        for (source, target, extra) in [(photo, upscaled, ["--lossless"]), (decoded, reference, [])] {
            let result = try runProcess(
                try TesseraBinary.url(), ["upscale", source.path, "-o", target.path, "--model", Self.model.path, "--no-tune"] + extra,
                environment: environment)
            #expect(result.status == 0, "\(result.stderr)")
        }
        // The reference PNG's header: 4× the 48×40 crop.
        let header = [UInt8](try Data(contentsOf: reference).prefix(24))
        let side = { (offset: Int) in header[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) } }
        #expect(header.count == 24 && side(16) == 192 && side(20) == 160)
        // Pillow decodes both outputs.
        let expected = folder.appendingPathComponent("reference.npy")
        let properties = try runPython("Tests/Oracles/pillow_images.py", ["decode-to-npy", reference.path, expected.path])
        #expect(properties.contains("\"format\": \"PNG\""), "\(properties)")
        let spec = folder.appendingPathComponent("check.json")
        try JSONSerialization.data(withJSONObject: [["file": upscaled.path, "reference": expected.path]]).write(to: spec)
        let verdict = try runPython("Tests/Oracles/pillow_images.py", ["check", spec.path])
        #expect(verdict.contains("\"shape_equal\": true") && verdict.contains("\"max_diff\": 0"), "\(verdict)")
    }
}
