import ArgumentParser
import Foundation
import ModelTools
import Tessera

/// `tessera check`: can each library run this model on each device, and if not, why.
struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check which libraries and devices can run a model, before loading anything.",
        discussion: """
            Answers from each library's operator-support table at the model's opset, the model's \
            data types and its requirements; nothing is loaded or compiled. Each row names the \
            operators a library lacks or runs elsewhere, and flags an opset or IR version newer \
            than a library loads.

            --run also runs the model, on the best pair and on every library, to find the \
            pitfalls that conversions introduce: a size that tracing stored as a constant (the \
            model is run at two input sizes and each image output must follow), activations \
            beyond float16's range of ±65504 on a sample input, and libraries whose outputs \
            disagree. Exit status 1 when a pitfall is an error.

            Examples:
              tessera check x4.onnx
              tessera check x4.onnx --run --sample photo.png
              tessera check x4.onnx --json | jq '.pairs[] | select(.verdict != "supported")'
            """
    )

    @Argument(help: "The .onnx model file.", completion: .file(extensions: ["onnx"]))
    var model: String

    @Flag(
        name: .customLong("run"),
        help: "Also run the model to look for traced constants, float16 overflow and library disagreement.")
    var runProbes = false

    @Option(help: "The sample input for --run: random[:SEED], an image or a .npy file.")
    var sample = "random:0"

    @Option(
        name: .customLong("input-shape"),
        help: ArgumentHelp("Shape of a random sample with dynamic dims (default N=1, other dims 64).", valueName: "name=shape"))
    var inputShapes: [InputShapeOption] = []

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
        var pitfalls: [Pitfall]?
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
        var result = Report(
            model: url.path, opsets: Dictionary(uniqueKeysWithValues: summary.opsets.map { ($0.key.isEmpty ? "ai.onnx" : $0.key, $0.value) }),
            pairs: pairs)
        if runProbes {
            let feeds = try VerifyInputs.feeds(for: sample, interface: loaded.graph.runtimeInputs, shapes: inputShapes.byName)
            let ranked = Selection(devices: catalog.devices(), reports: reports).ranked.map(\.device)
            result.pitfalls = await PitfallCheck(backends: catalog.backends).run(
                model: url, model: loaded, sample: feeds, devices: ranked)
        }
        if json {
            print(try JSONOutput.string(result))
        } else {
            printText(result, summary: summary)
        }
        if result.pitfalls?.contains(where: { $0.severity == .error }) == true { throw ExitCode(1) }
    }

    private func printText(_ result: Report, summary: ModelSummary) {
        let pairs = result.pairs
        let url = URL(fileURLWithPath: result.model)
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
        guard let pitfalls = result.pitfalls else { return }
        print(pitfalls.isEmpty ? "pitfalls: none found" : "pitfalls:")
        for pitfall in pitfalls { print("  \(pitfall)") }
    }
}
