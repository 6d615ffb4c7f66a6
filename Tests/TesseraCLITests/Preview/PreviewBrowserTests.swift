import Foundation
import TesseraTestSupport
import Testing

/// `tessera preview` in a real browser: headless Chromium driven by selenium
/// (`Tests/Oracles/preview_browser.py`) against the real binary, with tiny models the test writes.
@Suite("tessera preview in a browser", .serialized)
struct PreviewBrowserTests {
    private struct PageReport: Decodable {
        var requests: [String: Int]
        var loaded: String
        var preview: String
        var region: String
        var error: String
        var stats: String
        var clipBefore: String
        var clipAfter: String
        var sliderValue: String
        var compare: String
        var comparePSNR: String?
        var chain: String
        var chainStats: String
        var run: String
        var runEnd: String
        var corrupt: String
        var corruptError: String
        var install: String
        var installText: String
        var installError: String
        var models: [String]
    }

    @Test(
        "drag a region, get exactly `upscale --region`'s pixels, slide, compare, cancel a run, see a corrupt upload refused, install a model; no token, no answer"
    )
    func browserSession() throws {
        let folder = try Fixtures.temporaryDirectory("preview")
        defer { try? FileManager.default.removeItem(at: folder) }
        let environment = ["TESSERA_CACHE": folder.appendingPathComponent("cache").path]
        let models = folder.appendingPathComponent("models")
        _ = try runPython("Tests/Fixtures/TileModels/make_tile_models.py", [models.path])
        let photo = folder.appendingPathComponent("photo.png")
        let large = folder.appendingPathComponent("large.png")
        let corrupt = folder.appendingPathComponent("broken.png")
        _ = try runPython("Tests/Oracles/upscale_images.py", ["make", "rgb8", photo.path, "300", "200"])
        _ = try runPython("Tests/Oracles/upscale_images.py", ["make", "rgb8", large.path, "2400", "1600"])
        try Data("not a picture at all, only text named .png".utf8).write(to: corrupt)
        let model = models.appendingPathComponent("conv-x2.onnx").path
        let other = models.appendingPathComponent("wide-x2.onnx").path
        // A model to install from the page: an ncnn model imported, its manifest beside it.
        let manifest = try Fixtures.importedModel("realesr-animevideov3-x2", into: folder).deletingPathExtension()
            .appendingPathExtension("json")

        let server = try PreviewProcess(
            [photo.path, large.path, "--model", model, "--model", other], environment: environment)
        defer { server.stop() }
        let json = try runPython(
            "Tests/Oracles/preview_browser.py", [server.url, folder.path, corrupt.path, "--install", manifest.path])
        let page = try JSONDecoder().decode(PageReport.self, from: Data(json.utf8))

        #expect(page.requests["noToken"] == 403 && page.requests["tokenInQueryOnly"] == 403, "\(page.requests)")
        #expect(page.requests["wrongToken"] == 403 && page.requests["foreignHost"] == 403, "\(page.requests)")
        #expect(page.requests["pageWithoutToken"] == 403 && page.requests["withToken"] == 200, "\(page.requests)")
        #expect(page.loaded == "ready")
        #expect(page.preview == "preview-done", "\(page.error)")
        #expect(page.stats.contains("MP/s") && page.stats.contains("explain: worker:"), "\(page.stats)")

        // The delivered bytes against the command line's output for the region the drag chose.
        let reference = folder.appendingPathComponent("reference.png")
        let upscale = try runProcess(
            try TesseraBinary.url(),
            ["upscale", photo.path, "-o", reference.path, "--model", model, "--region", page.region],
            environment: environment)
        #expect(upscale.status == 0, "\(upscale.stderr)")
        let delivered = folder.appendingPathComponent("delivered.png").path
        let sizes = try [reference.path, delivered].map {
            try runPython("Tests/Oracles/upscale_images.py", ["describe", $0])
        }
        #expect(sizes[0] == sizes[1], "\(sizes)")
        let difference = try runPython(
            "Tests/Oracles/upscale_images.py", ["compare-crop", reference.path, delivered, "0", "0"])
        #expect(
            difference.trimmingCharacters(in: .whitespacesAndNewlines) == "max 0",
            "\(difference) for region \(page.region)")

        #expect(
            page.sliderValue == "30" && page.clipBefore != page.clipAfter && page.clipAfter.contains("30%"),
            "\(page.clipAfter)")
        #expect(page.compare == "compare-done")
        #expect(page.comparePSNR.flatMap(Double.init).map { $0 > 0 } == true, "\(String(describing: page.comparePSNR))")
        #expect(page.chain == "preview-done" && page.chainStats.contains("(×4)"), "\(page.chainStats)")
        #expect(page.run == "run-cancelled", "\(page.runEnd)")
        #expect(page.corrupt == "error" && page.corruptError.contains("broken.png"), "\(page.corruptError)")
        #expect(page.install == "installed", "\(page.installError)")
        #expect(
            page.models.contains("realesr-animevideov3-x2") && page.installText.contains("Installed"),
            "\(page.models) \(page.installText)")
    }
}
