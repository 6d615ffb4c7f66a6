import Conformance
import Foundation
import InferenceRuntime
import ONNXModel
import ReferenceEngine
import Testing
import TensorCore
import TesseraTestSupport

/// Sequences and optionals through the Session protocol beyond the node suite: a model with a
/// sequence input and output and an optional input (Tests/Oracles/sequence_model.py, expected
/// outputs from onnx's ReferenceEvaluator), given the optional and left empty.
@Suite("Sequence and optional values on the reference engine")
struct SequenceValueTests {
    static func writeCase() throws -> NodeTestCase {
        let folder = try Fixtures.temporaryDirectory("sequence-model")
        _ = try runPython("Tests/Oracles/sequence_model.py", [folder.path])
        return NodeTestCase(name: "sequence_model", directory: folder)
    }

    @Test("Both data sets match the reference evaluator; the interface says which inputs are sequences and optionals")
    func matchesEvaluator() async throws {
        let testCase = try Self.writeCase()
        defer { try? FileManager.default.removeItem(at: testCase.directory) }
        let engine = ReferenceBackend()
        let device = try #require(engine.devices().first)
        let result = await ConformanceRunner(backend: engine, device: device).run(testCase)
        #expect(result.outcome == .passed, "\(result.detail)")

        let session = try await engine.makeSession(model: testCase.model, device: device, options: SessionOptions())
        #expect(session.inputs.map(\.kind) == [.sequence, .optionalTensor, .tensor])
        #expect(session.outputs.map(\.kind) == [.sequence, .tensor, .tensor, .tensor])
        // The tensor-only entry point refuses a model whose outputs include a sequence, saying so.
        #expect(throws: BackendError.self) { try session.run(["extra": try Tensor(shape: [3], scalars: [1, 2, 3] as [Float])]) }
    }

    @Test("A malformed sequence file fails the case with an error naming the file")
    func malformedSequenceFile() async throws {
        let testCase = try Self.writeCase()
        defer { try? FileManager.default.removeItem(at: testCase.directory) }
        let file = testCase.directory.appendingPathComponent("test_data_set_0/input_0.pb")
        // Field 3 (a tensor) claims 200 bytes where the file ends after 2.
        try Data([0x10, 0x01, 0x1a, 0xc8, 0x01, 0x08, 0x01]).write(to: file)
        let engine = ReferenceBackend()
        let result = await ConformanceRunner(backend: engine, device: try #require(engine.devices().first)).run(testCase)
        #expect(result.outcome == .failed)
        #expect(result.detail.contains(file.path) && result.detail.contains("SequenceProto"), "\(result.detail)")
    }
}
