import Foundation
import InferenceRuntime
import ONNXModel
import ONNXRuntimeBackend
import TensorCore
import Testing
import TesseraTestSupport

/// Sequences and optionals through ONNX Runtime's C API: a sequence input built with
/// CreateValue, an optional input bound or left unbound, a sequence output read element by
/// element, all checked against onnx's ReferenceEvaluator (Tests/Oracles/sequence_model.py).
@Suite("Sequence and optional values on ONNX Runtime")
struct SequenceValueTests {
    @Test("Both data sets match the reference evaluator")
    func matchesEvaluator() async throws {
        let backend = try loadedBackend()
        let folder = try Fixtures.temporaryDirectory("ort-sequence-model")
        defer { try? FileManager.default.removeItem(at: folder) }
        _ = try runPython("Tests/Oracles/sequence_model.py", [folder.path])
        let modelURL = folder.appendingPathComponent("model.onnx")
        let graph = try Model(contentsOf: modelURL).graph
        let session = try await backend.makeSession(model: modelURL, device: try cpuDevice(backend), options: SessionOptions())
        #expect(session.inputs.map(\.kind) == [.sequence, .optionalTensor, .tensor])
        #expect(session.outputs.first?.kind == .sequence)
        for dataSet in ["test_data_set_0", "test_data_set_1"] {
            func read(_ prefix: String, _ values: [ValueInfo]) throws -> [String: ModelValue] {
                var result: [String: ModelValue] = [:]
                for (index, value) in values.enumerated() {
                    let data = try Data(contentsOf: folder.appendingPathComponent("\(dataSet)/\(prefix)\(index).pb"))
                    result[value.name] = try ModelValue(serializedBytes: data, type: try #require(value.type))
                }
                return result
            }
            let outputs = try session.run(values: try read("input_", graph.runtimeInputs))
            for (name, expected) in try read("output_", graph.outputs) {
                let actual = try #require(outputs[name])
                #expect(actual.compare(to: expected, tolerance: .onnxConformance) == nil, "\(dataSet) \(name): \(actual.summary)")
            }
        }
    }

    @Test("An empty sequence input is refused naming the input")
    func emptySequence() async throws {
        let backend = try loadedBackend()
        let folder = try Fixtures.temporaryDirectory("ort-sequence-empty")
        defer { try? FileManager.default.removeItem(at: folder) }
        _ = try runPython("Tests/Oracles/sequence_model.py", [folder.path])
        let session = try await backend.makeSession(
            model: folder.appendingPathComponent("model.onnx"), device: try cpuDevice(backend), options: SessionOptions())
        let extra = try Tensor(shape: [3], scalars: [1, 2, 3] as [Float])
        #expect {
            try session.run(values: ["xs": .sequence(try TensorSequence(elementType: .float32, elements: [])), "extra": .tensor(extra)])
        } throws: { error in
            (error as? BackendError)?.kind == .invalidInput && "\(error)".contains("'xs'")
        }
    }
}
