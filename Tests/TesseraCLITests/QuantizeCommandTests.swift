import Foundation
import ONNXModel
import Testing
import TesseraTestSupport

/// `tessera quantize` end to end: the report, calibration on images, the CPU warning, and every
/// failure exiting with a message and writing nothing.
@Suite("tessera quantize")
struct QuantizeCommandTests {
    private struct Report: Decodable {
        struct Counts: Decodable {
            var nodes: Int
            var byOperator: [String: Int]
        }
        struct Verification: Decodable {
            struct Round: Decodable {
                struct Comparison: Decodable {
                    struct Output: Decodable { var psnr: Double }
                    var outputs: [Output]
                }
                var comparisons: [Comparison]
            }
            var rounds: [Round]
        }
        var command: String
        var format: String
        var before: Counts
        var after: Counts
        var verification: Verification?
        var warnings: [String]
    }

    /// realesr-animevideov3-x4 imported into `folder`, its manifest beside it.
    private static func x4(in folder: URL) throws -> URL { try Fixtures.importedModel("realesr-animevideov3-x4", into: folder) }

    /// Crops of scikit-image photos written as PNG into `folder`.
    private static func photoCrops(_ photos: [String], into folder: URL, size: Int = 48) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for photo in photos {
            let name = (photo as NSString).deletingPathExtension
            _ = try runPython("Tests/Oracles/photo_input.py", [
                try Fixtures.samplePhoto(photo).path, "100", "100", "\(size)", "\(size)",
                folder.appendingPathComponent("\(name).npy").path, "--png", folder.appendingPathComponent("\(name).png").path,
            ])
            try FileManager.default.removeItem(at: folder.appendingPathComponent("\(name).npy"))
        }
    }

    @Test("S8S8 per-channel on photo crops: JSON report with node counts, and --verify's figures on another photo")
    func photos() throws {
        let folder = try Fixtures.temporaryDirectory("quantize-cli")
        defer { try? FileManager.default.removeItem(at: folder) }
        let calibration = folder.appendingPathComponent("calibration")
        try Self.photoCrops(["chelsea.png", "coffee.png"], into: calibration)
        try Self.photoCrops(["astronaut.png"], into: folder.appendingPathComponent("check"), size: 32)
        let output = folder.appendingPathComponent("x4-int8.onnx")
        let result = try TesseraBinary.run([
            "quantize", try Self.x4(in: folder).path, "-o", output.path, "--calibration", calibration.path, "--per-channel", "--verify",
            "--verify-inputs", folder.appendingPathComponent("check/astronaut.png").path, "--json",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try JSONDecoder().decode(Report.self, from: Data(result.stdout.utf8))
        #expect(report.command == "quantize")
        #expect(report.format == "S8S8")
        #expect(report.before.byOperator["Conv"] == 18)
        #expect(report.after.byOperator["Conv"] == 18)
        // A pair on the input and on every Conv's output and every PRelu's output.
        #expect(report.after.byOperator["QuantizeLinear"] == 1 + 18 + 17)
        #expect(report.after.nodes == report.before.nodes + 2 * 36 + 2 * 18)
        let psnr = try #require(report.verification?.rounds.first?.comparisons.first?.outputs.first?.psnr)
        #expect(psnr >= 30, "quantized output \(psnr) dB from float32 on a photo")
        #expect(FileManager.default.fileExists(atPath: output.path))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix(".") }
        #expect(leftovers.isEmpty, "staged files left: \(leftovers)")
    }

    @Test("On a CPU with AVX2 and no VNNI (and only there) weights become 7-bit by default, and U8S8 with 8-bit weights warns")
    func saturationWarning() throws {
        let folder = try Fixtures.temporaryDirectory("quantize-cli")
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent("u8s8.onnx")
        let x4 = try Self.x4(in: folder)
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let flags = Set(cpuinfo.split(separator: "\n").first { $0.hasPrefix("flags") }?.split(separator: " ").map(String.init) ?? [])
        let saturates = flags.contains("avx2") && !flags.contains("avx512_vnni") && !flags.contains("avx_vnni")
        let quantize = { (extra: [String]) in
            try TesseraBinary.run(["quantize", x4.path, "-o", output.path, "--calibration", "random:1", "--activations", "u8"] + extra)
        }

        // By default the weights are made 7-bit where 8-bit ones could saturate: reported, no warning needed.
        let automatic = try quantize([])
        #expect(automatic.status == 0, "\(automatic.stderr)")
        #expect(automatic.stdout.contains("7-bit weights") == saturates, "\(automatic.stdout)")
        #expect(!automatic.stderr.contains("VNNI"), "\(automatic.stderr)")
        // Keeping 8 bits on such a CPU is warned about, naming the remedy.
        let eightBit = try quantize(["--no-reduce-range"])
        #expect(eightBit.status == 0, "\(eightBit.stderr)")
        #expect(eightBit.stderr.contains("VNNI") == saturates, "\(eightBit.stderr)")
        #expect(eightBit.stderr.contains("--reduce-range") == saturates)
        let quiet = try quantize(["--reduce-range"])
        #expect(quiet.status == 0)
        #expect(!quiet.stderr.contains("VNNI"))
    }

    /// A Conv followed by Hardmax, an operator the quantizer has no rule for.
    private static func hardmaxModel(in folder: URL) throws -> URL {
        let weight = try Tensor(shape: [2, 3, 1, 1], scalars: [0.5, -0.25, 1, 0.75, 0.1, -0.6] as [Float])
        let graph = Graph(
            name: "hardmax",
            nodes: [
                Node(name: "conv", opType: "Conv", inputs: ["x", "w"], outputs: ["c"]),
                Node(name: "pick", opType: "Hardmax", inputs: ["c"], outputs: ["y"]),
            ],
            initializers: [StoredTensor(name: "w", tensor: weight)],
            inputs: [ValueInfo(name: "x", type: .tensor(.float32, [1, 3, 8, 8]))],
            outputs: [ValueInfo(name: "y", type: .tensor(.float32, [1, 2, 8, 8]))])
        let url = folder.appendingPathComponent("hardmax.onnx")
        try Model(graph: graph, opsetImports: [OpsetImport(domain: "", version: 17)]).write(to: url)
        return url
    }

    struct Failure: Sendable, CustomTestStringConvertible {
        var name: String
        var arguments: [String]
        var status: Int32
        var message: String
        var testDescription: String { name }
    }

    static let failures = [
        Failure(name: "an empty calibration folder", arguments: ["--calibration", "EMPTY"], status: 1, message: "no calibration data"),
        Failure(name: "a missing calibration folder", arguments: ["--calibration", "MISSING"], status: 1, message: "no calibration data"),
        Failure(name: "random:0", arguments: ["--calibration", "random:0"], status: 1, message: "no calibration data"),
        Failure(name: "an unreadable image", arguments: ["--calibration", "BROKEN"], status: 1, message: "cannot be read"),
        Failure(name: "an unsupported operator", arguments: ["--model", "HARDMAX"], status: 1, message: "--exclude Hardmax"),
        Failure(name: "an unknown method", arguments: ["--method", "fastest"], status: 2, message: "fastest"),
        Failure(name: "an unknown type", arguments: ["--weights", "s4"], status: 2, message: "s4"),
        Failure(name: "per-channel on opset 11", arguments: ["--model", "OPSET11", "--per-channel"], status: 1, message: "opset 13"),
    ]

    @Test("fails with a message and writes nothing", arguments: failures)
    func failure(_ item: Failure) throws {
        let folder = try Fixtures.temporaryDirectory("quantize-cli")
        defer { try? FileManager.default.removeItem(at: folder) }
        let empty = folder.appendingPathComponent("empty")
        let broken = folder.appendingPathComponent("broken")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: broken, withIntermediateDirectories: true)
        try Data("not a picture".utf8).write(to: broken.appendingPathComponent("photo.png"))
        let x4 = try Self.x4(in: folder)
        var old = try Model(contentsOf: x4)
        old.opsetImports = [OpsetImport(domain: "", version: 11)]
        let opset11 = folder.appendingPathComponent("opset11.onnx")
        try old.write(to: opset11)
        let substitutions = [
            "EMPTY": empty.path, "MISSING": folder.appendingPathComponent("missing").path, "BROKEN": broken.path,
            "HARDMAX": try Self.hardmaxModel(in: folder).path, "OPSET11": opset11.path,
        ]
        var arguments = item.arguments.map { substitutions[$0] ?? $0 }
        var model = x4.path
        if let index = arguments.firstIndex(of: "--model") {
            model = arguments[index + 1]
            arguments.removeSubrange(index...(index + 1))
        }
        if !arguments.contains("--calibration") { arguments += ["--calibration", "random:1"] }
        let output = folder.appendingPathComponent("out.onnx")
        let result = try TesseraBinary.run(["quantize", model, "-o", output.path] + arguments)
        #expect(result.status == item.status, "\(result.stderr)")
        #expect(result.stderr.contains(item.message), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: output.path))
        if item.name == "an unsupported operator" {
            let excluded = try TesseraBinary.run(["quantize", model, "-o", output.path, "--calibration", "random:1", "--exclude", "Hardmax"])
            #expect(excluded.status == 0, "\(excluded.stderr)")
            #expect(FileManager.default.fileExists(atPath: output.path))
        }
    }
}
