import Foundation
import ONNXModel
import Testing
import TensorCore
import TesseraTestSupport

/// Loading, shape inference and saving of Tests/Fixtures/QuirkModels; the `onnx` package and
/// ONNX Runtime's Python API are the oracles.
@Suite("Exporters' quirks: loading, shape inference and what a save writes back")
struct QuirkLoadingTests {
    static let directory = QuirkModels.directory

    private struct OracleRun: Decodable {
        var shapes: [String: [Int]]
    }

    private struct OracleValue: Decodable {
        var name: String
        var dims: [Dimension?]?
    }

    private struct OracleModel: Decodable {
        var inputs: [OracleValue]
        var outputs: [OracleValue]
    }

    /// A dimension as inspect_model.py writes it: a number or a symbol.
    private enum Dimension: Decodable, Equatable {
        case value(Int)
        case symbol(String)
        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let number = try? container.decode(Int.self) { self = .value(number) } else {
                self = .symbol(try container.decode(String.self))
            }
        }
    }

    @Test(
        "Inferred output types agree with the shapes ONNX Runtime's outputs have",
        arguments: QuirkModels.accepted)
    func inference(name: String) throws {
        let folder = try Fixtures.temporaryDirectory("quirk-infer")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = Self.directory.appendingPathComponent("\(name).onnx")
        let run = try JSONDecoder().decode(
            OracleRun.self, from: Data(try runPython("Tests/Oracles/quirk_oracle.py", [url.path, folder.path]).utf8))
        let model = try Model(contentsOf: url)
        try model.validate()
        let types = try model.inferTypes(inputShapes: ["x": [1, 3, 5, 6]])
        #expect(types.issues.isEmpty, "\(types.issues)")
        for (output, shape) in run.shapes {
            let inferred = try #require(types.values[output]?.tensorType, "output '\(output)'")
            #expect(inferred.elementType == .float32)
            #expect(inferred.dims?.map(\.value) == shape.map { $0 }, "output '\(output)': \(inferred)")
        }
    }

    @Test("A negative dim_value and an empty dim_param are saved as unknown dims, which the onnx package reads as neither value nor symbol")
    func writtenBackAsUnknown() throws {
        let folder = try Fixtures.temporaryDirectory("quirk-save")
        defer { try? FileManager.default.removeItem(at: folder) }
        var copies: [URL] = []
        for name in ["negative-dims", "empty-dim-param"] {
            let copy = folder.appendingPathComponent("\(name).onnx")
            try Model(contentsOf: Self.directory.appendingPathComponent("\(name).onnx")).write(to: copy)
            copies.append(copy)
        }
        let report = try JSONDecoder().decode(
            [String: OracleModel].self, from: Data(try runPython("Tests/Oracles/inspect_model.py", copies.map(\.path)).utf8))
        #expect(report[copies[0].path]?.inputs.first?.dims == [nil, .value(3), nil, nil])
        #expect(report[copies[0].path]?.outputs.first?.dims == [nil, .value(5)])
        #expect(report[copies[1].path]?.inputs.first?.dims == [.value(1), .value(3), nil, nil])
        #expect(report[copies[1].path]?.outputs.first?.dims == [.value(1), .value(4), nil, nil])
    }
}
