import ArgumentParser
import Conformance
import Foundation
import Tessera

/// `tessera conformance`: ONNX's node test cases against a library, counted per operator.
struct ConformanceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conformance",
        abstract: "Run ONNX's node test cases (Debian's libonnx-testdata, or onnx's current ones) against a library.",
        discussion: """
            Each case loads a one-operator model, feeds its recorded inputs and compares the \
            outputs with the recorded ones (rtol 1e-3, atol 1e-5). A case is 'unsupported' when \
            the library refuses the model, 'failed' when it runs but disagrees, and 'skipped' when \
            it cannot be judged (random expected outputs, sequence inputs).
            """
    )

    @Option(help: "The library to test: onnxruntime, openvino or reference.")
    var library: String = "onnxruntime"

    @Option(help: "The folder holding node/<case>/model.onnx: Debian's 1.12 cases by default; fixtures/onnx-node-suite holds the pinned onnx wheel's current cases (Scripts/write-node-suite.py).")
    var data: String = ConformanceSuite.debianDataDirectory.path

    @Option(help: "Only cases whose name contains this text.")
    var filter: String?

    @Flag(help: "Print per-case results too.")
    var verbose = false

    @Flag(help: "Print JSON (the summary and every case).")
    var json = false

    func run() async throws {
        let catalog = BackendCatalog.discover()
        guard let backend = catalog.backends.first(where: { $0.id.rawValue == library }) else {
            throw CLIError("library '\(library)' was not found; run `tessera devices` to see where Tessera looked")
        }
        guard let device = backend.devices().first(where: { $0.kind == .cpu }) ?? backend.devices().first else {
            throw CLIError("\(library) reports no device")
        }
        var cases = try ConformanceSuite.nodeCases(in: URL(fileURLWithPath: data))
        if let filter { cases = cases.filter { $0.name.contains(filter) } }
        let runner = ConformanceRunner(backend: backend, device: device)
        var results: [CaseResult] = []
        for (index, testCase) in cases.enumerated() {
            results.append(await runner.run(testCase))
            if !json, index % 100 == 99 { StandardError.write("  \(index + 1)/\(cases.count) cases") }
        }
        let summary = ConformanceSummary(library: library, device: device.id.rawValue, results: results)
        if json {
            struct Report: Encodable {
                var schemaVersion = 1
                var summary: ConformanceSummary
                var cases: [CaseResult]
            }
            print(try JSONOutput.string(Report(summary: summary, cases: results)))
            return
        }
        if verbose {
            for result in results where result.outcome != .passed {
                print("\(result.outcome.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0)) \(result.name): \(result.detail.prefix(200))")
            }
        }
        var table = TextTable([("operator", .left), ("passed", .right), ("failed", .right), ("unsupported", .right), ("skipped", .right)])
        for (op, counts) in summary.byOperator.sorted(by: { $0.key < $1.key }) where counts.passed < counts.total {
            table.append([op, String(counts.passed), String(counts.failed), String(counts.unsupported), String(counts.skipped)])
        }
        if !table.rows.isEmpty {
            print("Operators with cases that did not pass")
            print(table.render())
        }
        print(summary.line)
    }
}
