import Foundation
import TensorCore
import Testing
import TesseraTestSupport

/// The models of Tests/Fixtures/QuirkModels (see its make_quirk_models.py) through `inspect`,
/// `check` and `run`, judged by ONNX Runtime's and OpenVINO's Python APIs on the same files and inputs.
@Suite("Exporters' quirks: Tessera accepts the models ONNX Runtime accepts, and runs them alike")
struct QuirkModelTests {
    static let directory = QuirkModels.directory

    struct Oracle: Decodable {
        struct Verdict: Decodable {
            var accepted: Bool
            var error: String
        }
        struct Input: Decodable {
            var name: String
            var dims: [DimValue?]
        }
        var onnxruntime: Verdict
        var openvino: Verdict
        var outputs: [String]
        var inputs: [Input]
    }

    /// A dimension as both JSON formats write it: a number or a symbol (`null`: unknown).
    enum DimValue: Decodable, Equatable {
        case value(Int)
        case symbol(String)
        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let number = try? container.decode(Int.self) { self = .value(number) } else {
                self = .symbol(try container.decode(String.self))
            }
        }
    }

    struct InspectReport: Decodable {
        struct Value: Decodable {
            var name: String
            var dims: [DimValue?]?
        }
        var inputs: [Value]
    }

    struct CheckReport: Decodable {
        struct Pair: Decodable {
            var library: String
            var verdict: String
        }
        var pairs: [Pair]
    }

    private func oracle(_ model: URL, in folder: URL, override: String? = nil) throws -> Oracle {
        let extra = override.map { ["--override", $0] } ?? []
        let output = try runPython("Tests/Oracles/quirk_oracle.py", [model.path, folder.path] + extra)
        return try JSONDecoder().decode(Oracle.self, from: Data(output.utf8))
    }

    @Test(
        "inspect, check and run (ONNX Runtime, OpenVINO where it accepts the file, the reference engine) match ONNX Runtime's Python API",
        arguments: QuirkModels.accepted)
    func accepted(name: String) throws {
        let folder = try Fixtures.temporaryDirectory("quirk-\(name)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = Self.directory.appendingPathComponent("\(name).onnx")
        let oracle = try oracle(model, in: folder)
        #expect(oracle.onnxruntime.accepted, "\(oracle.onnxruntime.error)")

        let inspect = try TesseraBinary.run(["inspect", model.path, "--json"])
        #expect(inspect.status == 0, "\(inspect.stderr)")
        let report = try JSONDecoder().decode(InspectReport.self, from: Data(inspect.stdout.utf8))
        #expect(report.inputs.map(\.name) == oracle.inputs.map(\.name))
        for (ours, theirs) in zip(report.inputs, oracle.inputs) {
            // ONNX Runtime's Python API reports a missing shape as [], which Tessera keeps as "rank unknown".
            #expect(ours.dims ?? [] == theirs.dims, "input '\(ours.name)'")
        }

        let libraries = ["onnxruntime", "reference"] + (oracle.openvino.accepted ? ["openvino"] : [])
        let check = try TesseraBinary.run(["check", model.path, "--json"])
        #expect(check.status == 0, "\(check.stderr)")
        let verdicts = try JSONDecoder().decode(CheckReport.self, from: Data(check.stdout.utf8)).pairs
        for library in libraries {
            #expect(verdicts.first { $0.library == library }?.verdict == "supported", "check: \(library)")
        }
        for library in libraries {
            let outputs = folder.appendingPathComponent(library)
            let run = try TesseraBinary.run([
                "run", model.path, "--input", "x=\(folder.appendingPathComponent("x.npy").path)", "--output-dir", outputs.path,
                "--library", library, "--no-tune",
            ])
            #expect(run.status == 0, "\(library): \(run.stderr)")
            guard run.status == 0 else { continue }
            for output in oracle.outputs {
                let expected = try Tensor(npy: Data(contentsOf: folder.appendingPathComponent("expected/\(output).npy")))
                let actual = try Tensor(npy: Data(contentsOf: outputs.appendingPathComponent("\(output).npy")))
                let comparison = actual.compare(to: expected, tolerance: Tolerance(relative: 1e-4, absolute: 1e-5))
                #expect(comparison.passed, "\(library), output '\(output)': \(comparison.failure ?? "")")
            }
        }
    }

    @Test("check foresees that OpenVINO refuses nodes whose domain is spelled ai.onnx, as its Python API does")
    func spelledOutDomainOnOpenVINO() throws {
        let folder = try Fixtures.temporaryDirectory("quirk-domain")
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = Self.directory.appendingPathComponent("domain-node-ai-onnx.onnx")
        let oracle = try oracle(model, in: folder)
        #expect(oracle.onnxruntime.accepted && !oracle.openvino.accepted)
        let check = try TesseraBinary.run(["check", model.path, "--json"])
        let verdicts = try JSONDecoder().decode(CheckReport.self, from: Data(check.stdout.utf8)).pairs
        #expect(verdicts.first { $0.library == "openvino" }?.verdict == "unsupported", "\(check.stdout)")
        #expect(verdicts.first { $0.library == "onnxruntime" }?.verdict == "supported", "\(check.stdout)")
        let text = try TesseraBinary.run(["check", model.path])
        #expect(text.stdout.contains("not the name spelled out"), "\(text.stdout)")
    }

    @Test(
        "A model ONNX Runtime refuses is refused by inspect with one line naming the file and the value",
        arguments: [
            ("refused-stale-value-info-type", "output 'c' is float, but value_info declares it double"),
            ("refused-empty-input-shape", "node 'conv' (Conv)"),
        ])
    func refused(name: String, cause: String) throws {
        let folder = try Fixtures.temporaryDirectory("quirk-\(name)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = Self.directory.appendingPathComponent("\(name).onnx")
        let oracle = try oracle(model, in: folder)
        #expect(!oracle.onnxruntime.accepted)

        let inspect = try TesseraBinary.run(["inspect", model.path])
        #expect(inspect.status == 1)
        #expect(inspect.stderr.contains(model.path + ": "), "\(inspect.stderr)")
        #expect(inspect.stderr.contains(cause), "\(inspect.stderr)")
        #expect(inspect.stderr.trimmingCharacters(in: .newlines).split(separator: "\n").count == 1, "\(inspect.stderr)")
    }

    @Test("An IR 3 initializer listed as an input stays constant: a feed for it is refused, as ONNX Runtime refuses it")
    func initializerFeedBeforeIR4() throws {
        let folder = try Fixtures.temporaryDirectory("quirk-feed")
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = Self.directory.appendingPathComponent("initializer-inputs-ir3.onnx")
        let oracle = try oracle(model, in: folder, override: "b")
        #expect(!oracle.onnxruntime.accepted)
        #expect(oracle.onnxruntime.error.contains("Invalid input name: b"))

        let run = try TesseraBinary.run([
            "run", model.path, "--input", "x=\(folder.appendingPathComponent("x.npy").path)",
            "--input", "b=\(folder.appendingPathComponent("b.npy").path)", "--library", "reference", "--no-tune",
        ])
        #expect(run.status == 2)
        #expect(run.stderr.contains("the model has no input 'b'"), "\(run.stderr)")
    }
}
