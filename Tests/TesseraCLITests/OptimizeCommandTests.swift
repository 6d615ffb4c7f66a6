import Foundation
import ONNXModel
import Testing
import TesseraTestSupport

/// `tessera optimize` end to end: the report, --verify on two libraries, --fp16, and errors that
/// leave nothing written. The written models are checked by the onnx package and ONNX Runtime's
/// Python API (Tests/Oracles/optimize_check.py).
@Suite("tessera optimize")
struct OptimizeCommandTests {
    private struct Report: Decodable {
        struct Counts: Decodable {
            var nodes: Int
            var byOperator: [String: Int]
            var fileBytes: Int?
        }
        struct Step: Decodable {
            var name: String
            var summary: String
            var nodesRemoved: Int
        }
        struct Verification: Decodable {
            struct Round: Decodable {
                struct Comparison: Decodable {
                    var reference: String
                    var candidate: String
                    var passed: Bool
                }
                var comparisons: [Comparison]
            }
            var passed: Bool
            var rounds: [Round]
        }
        var schemaVersion: Int
        var command: String
        var before: Counts
        var after: Counts
        var steps: [Step]
        var verification: Verification?
    }

    private struct Check: Decodable {
        var originalNodes: Int
        var optimizedNodes: Int
        var inputTypes: [String]
        var outputTypes: [String]
        var initializerTypes: [String]
        var worstRelativeError: Double
    }

    /// Identity → Conv → BatchNormalization → Dropout → Relu, seeded weights: four passes fire on it.
    private static func model(in folder: URL) throws -> URL {
        func random(_ shape: [Int], seed: UInt64, range: ClosedRange<Float> = -1...1) throws -> StoredTensor {
            var generator = SeededGenerator(seed: seed)
            let values = (0..<shape.reduce(1, *)).map { _ in Float.random(in: range, using: &generator) }
            return StoredTensor(name: "", tensor: try Tensor(shape: shape, scalars: values))
        }
        var initializers: [StoredTensor] = []
        for (name, shape, seed) in [("w", [8, 3, 3, 3], 1), ("gamma", [8], 2), ("beta", [8], 3), ("mean", [8], 4)] as [(String, [Int], UInt64)] {
            var tensor = try random(shape, seed: seed)
            tensor.name = name
            initializers.append(tensor)
        }
        var variance = try random([8], seed: 5, range: 0.5...1.5)
        variance.name = "var"
        initializers.append(variance)
        let graph = Graph(
            name: "cli", nodes: [
                Node(name: "id", opType: "Identity", inputs: ["x"], outputs: ["a"]),
                Node(name: "conv", opType: "Conv", inputs: ["a", "w"], outputs: ["b"], attributes: [Attribute(name: "pads", value: .ints([1, 1, 1, 1]))]),
                Node(name: "bn", opType: "BatchNormalization", inputs: ["b", "gamma", "beta", "mean", "var"], outputs: ["c"]),
                Node(name: "drop", opType: "Dropout", inputs: ["c"], outputs: ["d"]),
                Node(name: "relu", opType: "Relu", inputs: ["d"], outputs: ["y"]),
            ],
            initializers: initializers,
            inputs: [ValueInfo(name: "x", type: .tensor(.float32, [.symbol("N"), 3, .symbol("H"), .symbol("W")]))],
            outputs: [ValueInfo(name: "y", type: .tensor(.float32, [.symbol("N"), 8, .symbol("H"), .symbol("W")]))])
        let url = folder.appendingPathComponent("net.onnx")
        try Model(graph: graph, opsetImports: [OpsetImport(domain: "", version: 13)], irVersion: 8).write(to: url)
        return url
    }

    private static func check(_ original: URL, _ optimized: URL) throws -> Check {
        try JSONDecoder().decode(Check.self, from: Data(try runPython("Tests/Oracles/optimize_check.py", [original.path, optimized.path, "20", "24"]).utf8))
    }

    @Test("--verify on two libraries: Conv+BN fused, Identity and Dropout gone, outputs unchanged")
    func verifiedOnTwoLibraries() throws {
        let folder = try Fixtures.temporaryDirectory("optimize-cli")
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = try Self.model(in: folder)
        let output = folder.appendingPathComponent("net-opt.onnx")
        let result = try TesseraBinary.run([
            "optimize", input.path, "-o", output.path, "--verify", "--library", "onnxruntime,openvino",
            "--input-shape", "x=1x3x20x24", "--json",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try JSONDecoder().decode(Report.self, from: Data(result.stdout.utf8))
        #expect(report.schemaVersion == 1 && report.command == "optimize")
        #expect(report.before.nodes == 5 && report.after.nodes == 2)
        #expect(report.after.byOperator == ["Conv": 1, "Relu": 1])
        #expect((report.after.fileBytes ?? 0) > 0)
        #expect(report.steps.first { $0.name == "fuse-conv-bn" }?.summary == "1 BatchNormalization fused into Conv")
        let verification = try #require(report.verification)
        #expect(verification.passed)
        let comparisons = verification.rounds.flatMap(\.comparisons)
        #expect(comparisons.map(\.candidate) == ["net-opt.onnx@onnxruntime:cpu", "net-opt.onnx@openvino:CPU"])

        let check = try Self.check(input, output)
        #expect(check.optimizedNodes == 2)
        #expect(check.worstRelativeError <= 1e-5)

        // The text report: steps and the operators that changed, then verify's table.
        let text = try TesseraBinary.run(["optimize", input.path, "-o", output.path, "--verify"])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("nodes 5 → 2") && text.stdout.contains("BatchNormalization  1 → 0"), "\(text.stdout)")
        #expect(text.stdout.contains("passed: tolerance"), "\(text.stdout)")
    }

    @Test("--fp16 keeps float32 inputs and outputs; --passes and --no-fold choose what runs")
    func float16AndPassSelection() throws {
        let folder = try Fixtures.temporaryDirectory("optimize-cli-fp16")
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = try Self.model(in: folder)
        let half = folder.appendingPathComponent("half.onnx")
        let result = try TesseraBinary.run(["optimize", input.path, "-o", half.path, "--fp16", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let check = try Self.check(input, half)
        #expect(check.inputTypes == ["float32"] && check.outputTypes == ["float32"])
        #expect(check.initializerTypes == ["float16"])
        #expect(check.worstRelativeError <= 1e-2, "float16 keeps about three significant digits")

        let some = folder.appendingPathComponent("some.onnx")
        let selected = try TesseraBinary.run(["optimize", input.path, "-o", some.path, "--passes", "identity,dropout", "--no-fold", "--json"])
        #expect(selected.status == 0, "\(selected.stderr)")
        let report = try JSONDecoder().decode(Report.self, from: Data(selected.stdout.utf8))
        #expect(report.steps.map(\.name) == ["identity", "dropout"])
        #expect(report.after.byOperator == ["Conv": 1, "BatchNormalization": 1, "Relu": 1])
    }

    @Test("errors write nothing: an unknown pass (exit 2), an unreadable model, verification out of tolerance, a missing folder (exit 1)")
    func errors() throws {
        let folder = try Fixtures.temporaryDirectory("optimize-cli-errors")
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = try Self.model(in: folder)
        let output = folder.appendingPathComponent("out.onnx")

        let unknown = try TesseraBinary.run(["optimize", input.path, "-o", output.path, "--passes", "identity,fuse-everything"])
        #expect(unknown.status == 2 && unknown.stderr.contains("fuse-everything"), "\(unknown.stderr)")

        let garbage = folder.appendingPathComponent("garbage.onnx")
        try Data("not a model".utf8).write(to: garbage)
        let unreadable = try TesseraBinary.run(["optimize", garbage.path, "-o", output.path])
        #expect(unreadable.status == 1 && unreadable.stderr.contains("garbage.onnx"), "\(unreadable.stderr)")

        let strict = try TesseraBinary.run([
            "optimize", input.path, "-o", output.path, "--fp16", "--verify", "--library", "onnxruntime",
            "--input-shape", "x=1x3x20x24", "--tolerance", "atol=0,rtol=0",
        ])
        #expect(strict.status == 1 && strict.stderr.contains("not written"), "\(strict.stderr)")
        #expect(strict.stdout.contains("FAILED"), "\(strict.stdout)")

        let nowhere = try TesseraBinary.run(["optimize", input.path, "-o", folder.appendingPathComponent("no/such/out.onnx").path])
        #expect(nowhere.status == 1 && nowhere.stderr.contains("cannot write there"), "\(nowhere.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("no").path), "no folder is made")

        #expect(!FileManager.default.fileExists(atPath: output.path))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix(".tessera-optimize") }
        #expect(leftovers.isEmpty, "the staging folder is removed")
    }
}
