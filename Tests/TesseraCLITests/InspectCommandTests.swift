import Foundation
import Testing
import TesseraTestSupport

@Suite("tessera inspect, end to end")
struct InspectCommandTests {
    private struct OracleValue: Decodable {
        var name: String
        var dims: [DimValue?]?
    }
    private struct OracleModel: Decodable {
        var inputs: [OracleValue]
        var outputs: [OracleValue]
        var parameters: Int
    }
    /// A dimension as both JSON formats write it: a number or a symbol.
    private enum DimValue: Decodable, Equatable {
        case value(Int)
        case symbol(String)
        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let number = try? container.decode(Int.self) { self = .value(number) } else {
                self = .symbol(try container.decode(String.self))
            }
        }
    }
    private struct Report: Decodable {
        struct Parameters: Decodable { var count: Int }
        var inputs: [OracleValue]
        var outputs: [OracleValue]
        var parameters: Parameters
        var operators: [String: Int]
        var nodeCount: Int
    }

    @Test("Names, shapes and parameter counts match the onnx package on every light model")
    func matchesOnnx() throws {
        let models = try Fixtures.lightModels()
        #expect(models.count == 9)
        let oracle = try JSONDecoder().decode(
            [String: OracleModel].self, from: Data(try runPython("Tests/Oracles/inspect_model.py", models.map(\.path)).utf8))
        for model in models {
            let result = try TesseraBinary.run(["inspect", model.path, "--json"])
            #expect(result.status == 0, "\(result.stderr)")
            let report = try JSONDecoder().decode(Report.self, from: Data(result.stdout.utf8))
            let expected = try #require(oracle[model.path])
            #expect(report.inputs.map(\.name) == expected.inputs.map(\.name), "\(model.lastPathComponent)")
            #expect(report.inputs.map(\.dims) == expected.inputs.map(\.dims), "\(model.lastPathComponent)")
            #expect(report.outputs.map(\.name) == expected.outputs.map(\.name), "\(model.lastPathComponent)")
            #expect(report.outputs.map(\.dims) == expected.outputs.map(\.dims), "\(model.lastPathComponent)")
            #expect(report.parameters.count == expected.parameters, "\(model.lastPathComponent)")
            #expect(report.operators.values.reduce(0, +) == report.nodeCount)
        }
    }

    @Test("MACs of a convolution at a bound input shape")
    func macs() throws {
        let model = try #require(try Fixtures.lightModels().first { $0.lastPathComponent == "light_resnet50.onnx" })
        let result = try TesseraBinary.run(["inspect", model.path, "--input-shape", "gpu_0/data_0=1x3x224x224", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        struct Compute: Decodable { var totalMACs: Int }
        struct Report: Decodable { var compute: Compute }
        let report = try JSONDecoder().decode(Report.self, from: Data(result.stdout.utf8))
        // ResNet-50 at 224×224 is about 4.1 G multiply-accumulates (the figure its authors give).
        #expect((3_800_000_000...4_300_000_000).contains(report.compute.totalMACs), "\(report.compute.totalMACs)")
    }

    @Test("The human report is a table with every section")
    func textReport() throws {
        let model = try #require(try Fixtures.lightModels().first { $0.lastPathComponent == "light_squeezenet.onnx" })
        let result = try TesseraBinary.run(["inspect", model.path])
        #expect(result.status == 0)
        for section in ["Inputs", "Outputs", "Operators (", "Parameters", "MACs", "IR version"] {
            #expect(result.stdout.contains(section), "missing \(section)")
        }
    }
}
