import Foundation
import ModelManifest
import Testing

@Suite("Manifest schema 1: every kind of bad field is refused with its path")
struct ManifestValidationTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var label: String
        /// The message after `/models/x4.json: `.
        var message: String
        var edit: @Sendable (inout [String: Any]) -> Void
        var testDescription: String { label }
    }

    typealias S = ManifestSamples

    static let cases: [Case] = [
        Case(label: "unknown schema version", message: "schema: unsupported version 2 (this version of Tessera reads schema 1)") {
            $0["schema"] = 2
        },
        Case(label: "schema missing", message: "schema: required field is missing") { $0["schema"] = nil },
        Case(label: "schema as text", message: "schema: expected an integer, got \"1\"") { $0["schema"] = "1" },
        Case(label: "id missing", message: "id: required field is missing") { $0["id"] = nil },
        Case(label: "id with a slash", message: "id: expected letters, digits, '.', '_' and '-' only, not starting with '.', got \"a/b\"") {
            $0["id"] = "a/b"
        },
        Case(label: "id of the wrong type", message: "id: expected a string, got 7") { $0["id"] = 7 },
        Case(label: "unknown task", message: "task: unknown value \"denoise\" (expected upscale)") { $0["task"] = "denoise" },
        Case(label: "scale as text", message: "scale: expected an integer, got \"4\"") { $0["scale"] = "4" },
        Case(label: "fractional scale", message: "scale: expected an integer, got 2.5") { $0["scale"] = 2.5 },
        Case(label: "zero scale", message: "scale: expected a whole number of at least 1, got 0") { $0["scale"] = 0 },
        Case(label: "input missing", message: "input: required field is missing") { $0["input"] = nil },
        Case(label: "input name missing", message: "input.name: required field is missing") {
            S.inObject(&$0, "input") { $0["name"] = nil }
        },
        Case(label: "empty output name", message: "output.name: expected the graph's tensor name, got \"\"") {
            S.inObject(&$0, "output") { $0["name"] = "" }
        },
        Case(label: "unknown layout", message: "input.layout: unknown value \"NHWC\" (expected NCHW)") {
            S.inObject(&$0, "input") { $0["layout"] = "NHWC" }
        },
        Case(label: "unknown channel order", message: "output.channels: unknown value \"BGR\" (expected RGB)") {
            S.inObject(&$0, "output") { $0["channels"] = "BGR" }
        },
        Case(label: "unknown element type", message: "output.type: unknown value \"int8\" (expected float32 or float16)") {
            S.inObject(&$0, "output") { $0["type"] = "int8" }
        },
        Case(label: "range backwards", message: "input.range: expected [lower, upper] with lower < upper, got [1.0, 0.0]") {
            S.inObject(&$0, "input") { $0["range"] = [1, 0] }
        },
        Case(label: "range of one number", message: "input.range: expected two numbers [lower, upper], got 1") {
            S.inObject(&$0, "input") { $0["range"] = [0] }
        },
        Case(label: "range with text", message: "input.range[1]: expected a number, got \"1\"") {
            S.inObject(&$0, "input") { $0["range"] = [0, "1"] }
        },
        Case(label: "negative overlap", message: "tiling.overlap: expected 0 or more, got -1") {
            S.inObject(&$0, "tiling") { $0["overlap"] = -1 }
        },
        Case(label: "negative border", message: "tiling.border: expected 0 or more, got -2") {
            S.inObject(&$0, "tiling") { $0["border"] = -2 }
        },
        Case(label: "zero multipleOf", message: "tiling.multipleOf: expected at least 1, got 0") {
            S.inObject(&$0, "tiling") { $0["multipleOf"] = 0 }
        },
        Case(label: "maxTile below minTile", message: "tiling.maxTile: expected at least minTile (32), got 16") {
            S.inObject(&$0, "tiling") { $0["maxTile"] = 16 }
        },
        Case(label: "tiling missing a field", message: "tiling.minTile: required field is missing") {
            S.inObject(&$0, "tiling") { $0["minTile"] = nil }
        },
        Case(label: "no variants", message: "variants: expected at least one variant") { $0["variants"] = [Any]() },
        Case(label: "variants not a list", message: "variants: expected a list, got \"x4.onnx\"") { $0["variants"] = "x4.onnx" },
        Case(label: "short sha256", message: "variants[1].sha256: expected 64 hexadecimal digits, got \"abc\"") {
            S.inVariant(&$0, 1) { $0["sha256"] = "abc" }
        },
        Case(
            label: "sha256 with a non-hex digit",
            message: "variants[0].sha256: expected 64 hexadecimal digits, got \"\(String(repeating: "g", count: 64))\""
        ) { S.inVariant(&$0, 0) { $0["sha256"] = String(repeating: "g", count: 64) } },
        Case(label: "negative size", message: "variants[0].bytes: expected a size of at least 1 byte, got -5") {
            S.inVariant(&$0, 0) { $0["bytes"] = -5 }
        },
        Case(label: "size as a boolean", message: "variants[0].bytes: expected an integer, got true") {
            S.inVariant(&$0, 0) { $0["bytes"] = true }
        },
        Case(label: "size missing", message: "variants[1].bytes: required field is missing") {
            S.inVariant(&$0, 1) { $0["bytes"] = nil }
        },
        Case(
            label: "unknown library",
            message: "variants[1].library: unknown value \"tensorrt\" (expected onnxruntime, openvino or reference)"
        ) { S.inVariant(&$0, 1) { $0["library"] = "tensorrt" } },
        Case(label: "unknown precision", message: "variants[0].precision: unknown value \"bf16\" (expected fp32, fp16 or int8)") {
            S.inVariant(&$0, 0) { $0["precision"] = "bf16" }
        },
        Case(label: "duplicate variant", message: "variants[1]: duplicates variants[0] (library any, precision fp32)") {
            S.inVariant(&$0, 1) {
                $0["library"] = nil
                $0["precision"] = "fp32"
                $0["requires"] = nil
            }
        },
        Case(label: "one file, two contents", message: "variants[1].file: \"x4.onnx\" is also variants[0]'s file, with other contents") {
            S.inVariant(&$0, 1) { $0["file"] = "x4.onnx" }
        },
        Case(
            label: "file in another folder",
            message: "variants[0].file: expected letters, digits, '.', '_' and '-' only, not starting with '.', got \"../x4.onnx\""
        ) { S.inVariant(&$0, 0) { $0["file"] = "../x4.onnx" } },
        Case(label: "file named like the store's own", message: "variants[0].file: \"manifest.json\" is a name the model store uses for itself") {
            S.inVariant(&$0, 0) { $0["file"] = "manifest.json" }
        },
        Case(
            label: "unsupported URL scheme",
            message: "variants[0].url: unsupported URL scheme \"ftp\" (expected file, http, https or a relative reference)"
        ) { S.inVariant(&$0, 0) { $0["url"] = "ftp://example.com/x4.onnx" } },
        Case(label: "http URL without a host", message: "variants[0].url: expected a host in \"http:x4.onnx\"") {
            S.inVariant(&$0, 0) { $0["url"] = "http:x4.onnx" }
        },
        Case(label: "malformed minVersion", message: "variants[1].requires.minVersion: expected major.minor[.patch] such as \"1.16\", got \"1.x\"") {
            S.inVariant(&$0, 1) { $0["requires"] = ["minVersion": "1.x"] }
        },
        Case(
            label: "minVersion without a library",
            message: "variants[0].requires.minVersion: needs the variant's library (versions differ between libraries)"
        ) { S.inVariant(&$0, 0) { $0["requires"] = ["minVersion": "1.16"] } },
        Case(label: "negative memory", message: "variants[1].requires.minMemoryMB: expected 0 or more, got -1") {
            S.inVariant(&$0, 1) { $0["requires"] = ["minMemoryMB": -1] }
        },
        Case(
            label: "operator without a domain",
            message: "variants[0].summary.operators[1]: expected \"domain:Operator:sinceVersion\", got \"Conv\""
        ) {
            S.inVariant(&$0, 0) { $0["summary"] = ["irVersion": 8, "opsets": ["ai.onnx": 17], "operators": ["ai.onnx:Relu:14", "Conv"]] }
        },
        Case(
            label: "operator newer than the opset",
            message: "variants[0].summary.operators[0]: since-version of ai.onnx:Resize:18 must be between 1 and the opset, 17"
        ) {
            S.inVariant(&$0, 0) { $0["summary"] = ["irVersion": 8, "opsets": ["ai.onnx": 17], "operators": ["ai.onnx:Resize:18"]] }
        },
        Case(
            label: "operator in a domain without an opset",
            message: "variants[0].summary.operators[0]: domain \"com.microsoft\" of com.microsoft:FusedConv:1 has no entry in opsets"
        ) {
            S.inVariant(&$0, 0) { $0["summary"] = ["irVersion": 8, "opsets": ["ai.onnx": 17], "operators": ["com.microsoft:FusedConv:1"]] }
        },
        Case(label: "opset of the wrong type", message: "variants[0].summary.opsets.ai.onnx: expected an integer, got \"17\"") {
            S.inVariant(&$0, 0) { $0["summary"] = ["irVersion": 8, "opsets": ["ai.onnx": "17"], "operators": [String]()] }
        },
    ]

    @Test("Refused with the source, the field path and the problem", arguments: cases)
    func refused(_ item: Case) throws {
        let data = try ManifestSamples.data(item.edit)
        do {
            _ = try ModelManifest.decode(data, source: ManifestSamples.source)
            Issue.record("the manifest was accepted")
        } catch {
            #expect(error.description == "/models/x4.json: \(item.message)")
        }
    }

    @Test("Bytes that are not JSON, and JSON that is not an object, name the source")
    func notAnObject() throws {
        let source = URL(string: "http://127.0.0.1:9/m/x4.json")
        let url = try #require(source)
        do {
            _ = try ModelManifest.decode(Data("{\"schema\": 1,".utf8), source: url)
            Issue.record("truncated JSON was accepted")
        } catch {
            #expect(error.description.hasPrefix("http://127.0.0.1:9/m/x4.json: not a JSON manifest: "))
        }
        #expect(throws: ManifestError.invalid(source: "http://127.0.0.1:9/m/x4.json", field: "", problem: "expected a JSON object, got a list")) {
            _ = try ModelManifest.decode(Data("[1, 2]".utf8), source: url)
        }
    }

    @Test("validate() catches the same problems in a manifest built in code")
    func validateBuiltInCode() throws {
        let variant = ModelManifest.Variant(precision: .fp32, file: "x.onnx", url: "x.onnx", sha256: "abc", bytes: 10)
        let manifest = ModelManifest(
            id: "x", scale: 2, input: .init(name: "in"), output: .init(name: "out"), variants: [variant])
        #expect(throws: ManifestError.invalid(source: "built", field: "variants[0].sha256", problem: "expected 64 hexadecimal digits, got \"abc\"")) {
            try manifest.validate(source: "built")
        }
    }
}
