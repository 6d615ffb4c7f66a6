import ArgumentParser
import Foundation
import Tessera

/// `tessera check`: can each library run this model on each device, and if not, why.
struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check which libraries and devices can run a model, before loading anything.",
        discussion: """
            Answers from each library's operator-support table at the model's opset, the model's \
            data types and its requirements; nothing is loaded or compiled. Each row names the \
            operators a library lacks or runs elsewhere.

            Examples:
              tessera check x4.onnx
              tessera check x4.onnx --json | jq '.pairs[] | select(.verdict != "supported")'
            """
    )

    @Argument(help: "The .onnx model file.", completion: .file(extensions: ["onnx"]))
    var model: String

    @Flag(help: "Print JSON (format in docs/json-output.md).")
    var json = false

    struct Report: Encodable {
        struct Pair: Encodable {
            var library: String
            var device: String
            var verdict: String
            var findings: [String]
        }
        var schemaVersion = 1
        var model: String
        var opsets: [String: Int]
        var pairs: [Pair]
    }

    func run() async throws {
        let url = URL(fileURLWithPath: model)
        let loaded = try Model(contentsOf: url)
        let summary = ModelSummary(model: loaded, schemas: try OperatorSchemas.standard())
        let catalog = BackendCatalog.discover()
        let reports = catalog.reports(for: summary)
        let pairs = catalog.devices().map { device -> Report.Pair in
            let report = reports[device.id]
            return Report.Pair(
                library: device.backend.rawValue, device: device.id.rawValue,
                verdict: report?.verdict.rawValue ?? "unknown", findings: report?.findings.map(\.description) ?? [])
        }
        let result = Report(
            model: url.path, opsets: Dictionary(uniqueKeysWithValues: summary.opsets.map { ($0.key.isEmpty ? "ai.onnx" : $0.key, $0.value) }),
            pairs: pairs)
        if json {
            print(try JSONOutput.string(result))
            return
        }
        let opsets = result.opsets.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        print("\(url.path): \(summary.nodes.count) nodes, opsets \(opsets)")
        var table = TextTable([("library", .left), ("device", .left), ("verdict", .left), ("why", .left)])
        for pair in pairs {
            let verdict = pair.verdict == "supported" ? "ok" : pair.verdict
            table.append([pair.library, pair.device, verdict, pair.findings.first ?? ""])
            for finding in pair.findings.dropFirst() { table.append(["", "", "", finding]) }
        }
        print(table.render())
        if pairs.isEmpty { print("  no inference library was found; run `tessera devices` to see where Tessera looked") }
    }
}
