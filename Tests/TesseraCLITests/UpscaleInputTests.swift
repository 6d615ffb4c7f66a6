import Foundation
import Testing
import TesseraTestSupport

/// What `tessera upscale` does with its inputs' size: refuse a header that claims too many pixels
/// before any work, and read the rest in row bands with the same result as whole.
@Suite("tessera upscale, bounded input")
struct UpscaleInputTests {
    static let model = Fixtures.repositoryRoot.appendingPathComponent("fixtures/srvgg-x4.onnx")

    private struct PeakRun: Decodable {
        var status: Int32
        var stderr: String
        var max_rss_kib: Int
    }

    private static func tessera(_ arguments: [String], cache folder: URL) throws -> ProcessResult {
        try runProcess(try TesseraBinary.url(), arguments, environment: ["TESSERA_CACHE": folder.appendingPathComponent("cache").path])
    }

    @Test("a 60000×60000 header on a few hundred bytes: exit 1, one line naming the file, size and limit, small memory")
    func headerBomb() throws {
        let folder = try Fixtures.temporaryDirectory("upscale-bomb")
        defer { try? FileManager.default.removeItem(at: folder) }
        let bomb = folder.appendingPathComponent("bomb.png")
        _ = try runPython("Tests/Oracles/pillow_images.py", ["header-bomb", bomb.path, "60000", "60000", "1"])
        #expect(try Data(contentsOf: bomb).count < 1000)
        let output = folder.appendingPathComponent("out.png")
        let json = try runPython("Tests/Oracles/peak_rss.py", [
            try TesseraBinary.url().path, "upscale", bomb.path, "-o", output.path, "--model", Self.model.path,
        ])
        let run = try JSONDecoder().decode(PeakRun.self, from: Data(json.utf8))
        #expect(run.status == 1, "\(run.stderr)")
        let lines = run.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(run.stderr)")
        #expect(run.stderr.contains(bomb.path) && run.stderr.contains("60000×60000"), "\(run.stderr)")
        #expect(run.stderr.contains("1000000000") && run.stderr.contains("--max-pixels"), "\(run.stderr)")
        #expect(run.max_rss_kib < 200 * 1024, "peak resident memory \(run.max_rss_kib) KiB")
        #expect(!FileManager.default.fileExists(atPath: output.path))
    }

    @Test("--max-pixels: one pixel short refuses a 40×30 image, its exact size lets it through")
    func maxPixels() throws {
        let folder = try Fixtures.temporaryDirectory("upscale-max-pixels")
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = folder.appendingPathComponent("in.png")
        _ = try runPython("Tests/Oracles/upscale_images.py", ["make", "rgb8", input.path, "40", "30"])
        let output = folder.appendingPathComponent("out.png")
        let base = ["upscale", input.path, "-o", output.path, "--model", Self.model.path]
        let refused = try Self.tessera(base + ["--max-pixels", "1199"], cache: folder)
        #expect(refused.status == 1 && refused.stderr.contains("40×30") && refused.stderr.contains("1199"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: output.path))
        let passed = try Self.tessera(base + ["--max-pixels", "1200"], cache: folder)
        #expect(passed.status == 0, "\(passed.stderr)")
        let described = try runPython("Tests/Oracles/upscale_images.py", ["describe", output.path])
        #expect(described.contains("160x120"), "\(described)")
        #expect(try Self.tessera(base + ["--max-pixels", "0"], cache: folder).status == 2)
    }

    @Test("a PNG read in row bands upscales exactly as the same pixels interlaced (decoded whole)", arguments: [
        ("rgba8-varied", ["--tile", "16"]), ("rgba8-varied", ["--tile", "16", "--region", "21,35,50,30"]), ("gray16", ["--tile", "24", "--blend"]),
    ])
    func bandsEqualWhole(kind: String, options: [String]) throws {
        let folder = try Fixtures.temporaryDirectory("upscale-bands")
        defer { try? FileManager.default.removeItem(at: folder) }
        let banded = folder.appendingPathComponent("banded.png")
        let interlaced = folder.appendingPathComponent("interlaced.png")
        _ = try runPython("Tests/Oracles/upscale_images.py", ["make", kind, banded.path, "96", "80"])
        _ = try runPython("Tests/Oracles/pillow_images.py", ["interlace", banded.path, interlaced.path])
        var outputs: [URL] = []
        for input in [banded, interlaced] {
            let output = folder.appendingPathComponent("out-" + input.lastPathComponent)
            let result = try Self.tessera(["upscale", input.path, "-o", output.path, "--model", Self.model.path] + options, cache: folder)
            #expect(result.status == 0, "\(result.stderr)")
            outputs.append(output)
        }
        // Pillow (or OpenCV, for 16 bits) decodes both outputs, alpha included.
        let reference = folder.appendingPathComponent("whole.npy")
        _ = try runPython("Tests/Oracles/pillow_images.py", ["decode-to-npy", outputs[1].path, reference.path])
        let spec = folder.appendingPathComponent("check.json")
        try JSONSerialization.data(withJSONObject: [["file": outputs[0].path, "reference": reference.path]]).write(to: spec)
        let verdict = try runPython("Tests/Oracles/pillow_images.py", ["check", spec.path])
        #expect(verdict.contains("\"shape_equal\": true") && verdict.contains("\"max_diff\": 0"), "\(verdict)")
    }
}
