import Conformance
import Foundation
import Tessera
import Testing
import TesseraTestSupport

@Suite("ONNX node cases through each real library")
struct NodeSuiteTests {
    /// The smallest passed counts accepted, just under what each library achieves through this
    /// harness today (BENCHMARKS.md has the exact figures). A drop means a regression in a backend
    /// or in the harness.
    static let minimumPassed: [String: Int] = ["onnxruntime": 888, "openvino": 790]

    @Test("Counts of passed, failed, unsupported and skipped cases", arguments: ["onnxruntime", "openvino"])
    func suite(library: String) async throws {
        let catalog = BackendCatalog.discover()
        let backend = try #require(catalog.backends.first { $0.id.rawValue == library }, "\(library) not found")
        let device = try #require(backend.devices().first { $0.kind == .cpu })
        let cases = try ConformanceSuite.nodeCases()
        #expect(cases.count == 932, "Debian's libonnx-testdata 1.12 has 932 node cases")
        let runner = ConformanceRunner(backend: backend, device: device)
        var results: [CaseResult] = []
        for testCase in cases { results.append(await runner.run(testCase)) }
        let summary = ConformanceSummary(library: library, device: device.id.rawValue, results: results)
        print(summary.line)
        #expect(summary.overall.passed >= Self.minimumPassed[library] ?? 0, "\(summary.line)")
        // Sequences and optionals run now: only the random-output cases are skipped.
        #expect(summary.overall.skipped == 10, "the 10 random-output cases")
        // Every light model's operators pass somewhere in the suite: the operators Tessera's
        // users rely on most are not among the failures.
        for op in ["Conv", "Relu", "MaxPool", "AveragePool", "Gemm", "Concat", "Add", "Softmax", "BatchNormalization"] {
            let counts = try #require(summary.byOperator[op])
            #expect(counts.failed == 0, "\(op): \(counts)")
        }
    }
}
