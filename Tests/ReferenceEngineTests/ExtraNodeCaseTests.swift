import Conformance
import Foundation
import InferenceRuntime
import ReferenceEngine
import Testing
import TesseraTestSupport

/// Operators the node suites test in one or two cases (MelWeightMatrix, Col2Im, AffineGrid, DeformConv), in
/// more shapes and settings, against onnx's ReferenceEvaluator and ONNX Runtime
/// (Tests/Oracles/extra_node_cases.py writes the cases in the suites' layout).
@Suite("Thinly covered operators against two independent implementations")
struct ExtraNodeCaseTests {
    @Test("Every case passes on the native engine")
    func extraCases() async throws {
        let folder = try Fixtures.temporaryDirectory("extra-node-cases")
        defer { try? FileManager.default.removeItem(at: folder) }
        _ = try runPython("Tests/Oracles/extra_node_cases.py", [folder.path])
        let backend = ReferenceBackend()
        let runner = ConformanceRunner(backend: backend, device: try #require(backend.devices().first))
        let cases = try ConformanceSuite.nodeCases(in: folder)
        #expect(cases.count == 13)
        for testCase in cases {
            let result = await runner.run(testCase)
            #expect(result.outcome == .passed, "\(result.name): \(result.detail)")
        }
    }
}
