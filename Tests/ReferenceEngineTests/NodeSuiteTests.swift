import Conformance
import Foundation
import InferenceRuntime
import ONNXModel
import ReferenceEngine
import Testing
import TesseraTestSupport

@Suite("ONNX node cases on the reference engine")
struct NodeSuiteTests {
    /// One suite of node cases, its size and the smallest passed count accepted (raised as
    /// operators are added).
    struct Suite: Sendable, CustomTestStringConvertible {
        var label: String
        /// The heading of this suite's section in the committed failure list.
        var heading: String
        var caseCount: Int
        var minimumPassed: Int
        var directory: @Sendable () throws -> URL
        var testDescription: String { label }
    }

    static let suites: [Suite] = [
        Suite(label: "Debian libonnx-testdata 1.12", heading: ReferenceFailureList.debianHeading, caseCount: 932,
              minimumPassed: 918, directory: { try Fixtures.onnxTestDataDirectory() }),
        Suite(label: "onnx 1.23.2 node cases", heading: ReferenceFailureList.currentHeading, caseCount: 1884,
              minimumPassed: 1804, directory: { try Fixtures.onnxNodeSuiteDirectory() }),
    ]

    @Test("The cases that do not pass are exactly the listed ones; check declares the rest; the floor holds", arguments: suites)
    func suite(_ suite: Suite) async throws {
        let backend = ReferenceBackend()
        let device = try #require(backend.devices().first)
        let schemas = try OperatorSchemas.standard()
        let listed = try ReferenceFailureList.load().section(suite.heading)
        let cases = try ConformanceSuite.nodeCases(in: suite.directory())
        #expect(cases.count == suite.caseCount)
        let runner = ConformanceRunner(backend: backend, device: device)
        var results: [CaseResult] = []
        var undeclaredFailures: [String] = []
        for testCase in cases {
            let result = await runner.run(testCase)
            results.append(result)
            guard result.outcome == .failed || result.outcome == .unsupported else { continue }
            // `tessera check` must not call a model runnable when the engine refuses it: a failing
            // case whose operators the registry declares needs a listed data fault or difference.
            let explained = listed[testCase.name].map { $0 == .dataFault || $0 == .knownDifference } ?? false
            let model = try Model(contentsOf: testCase.model)
            let report = backend.capability(of: ModelSummary(model: model, schemas: schemas), on: device)
            if report.verdict == .supported, !explained { undeclaredFailures.append("\(result.name): \(result.detail.prefix(300))") }
        }
        let summary = ConformanceSummary(library: "reference", device: device.id.rawValue, results: results)
        print("\(suite.label): \(summary.line)")
        #expect(undeclaredFailures.isEmpty, "cases of declared operators that fail:\n\(undeclaredFailures.joined(separator: "\n"))")
        #expect(summary.overall.passed >= suite.minimumPassed, "\(summary.line)")
        let notPassed = Set(results.filter { $0.outcome != .passed }.map(\.name))
        let unlisted = notPassed.subtracting(listed.keys).sorted()
        let stale = Set(listed.keys).subtracting(notPassed).sorted()
        #expect(unlisted.isEmpty && stale.isEmpty, """
            docs/reference-engine-failures.md is out of date (run Scripts/list-reference-failures.py): \
            not listed but not passing: \(unlisted); listed but passing: \(stale)
            """)
    }
}
