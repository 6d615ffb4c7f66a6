import ONNXModel
import TensorCore

extension InspectReport {
    /// The human-readable report: a header, then one table per section.
    func text() -> String {
        var lines: [String] = []
        lines.append("\(file)  (\(Formatting.bytes(fileBytes)))")
        let producerText = producer.name.isEmpty ? "unknown producer" : "\(producer.name) \(producer.version)".trimmed
        let opsets = opsetImports.map { "\($0.domain) \($0.version)" }.joined(separator: ", ")
        lines.append("  IR version \(irVersion) · \(producerText) · opsets \(opsets)")

        for (title, values) in [("Inputs", inputs), ("Outputs", outputs)] {
            lines.append("")
            lines.append(title)
            var table = TextTable([("name", .left), ("type", .left), ("shape", .left)])
            for value in values {
                table.append([value.name, value.type, value.dims.map(Self.shapeText) ?? "unknown rank"])
            }
            lines.append(table.render())
        }

        lines.append("")
        lines.append("Operators (\(nodeCount) nodes)")
        var histogram = TextTable([("operator", .left), ("count", .right)])
        for (name, count) in operators.sorted(by: { ($1.value, $0.key) < ($0.value, $1.key) }) {
            histogram.append([name, String(count)])
        }
        lines.append(histogram.render())

        lines.append("")
        let types = parameters.byType.sorted { $0.value > $1.value }.map(\.key).joined(separator: ", ")
        lines.append(
            "Parameters  \(Formatting.grouped(parameters.count)) in \(parameters.initializers) initializers, "
                + "\(Formatting.bytes(parameters.bytes))\(types.isEmpty ? "" : " (\(types))")")
        lines.append("MACs        \(macsText)")
        if !compute.uncountedNodes.isEmpty {
            lines.append("  not counted (shapes unknown): \(compute.uncountedNodes.prefix(5).joined(separator: ", "))")
        }
        if !shapeInferenceIssues.isEmpty {
            lines.append("")
            lines.append("Shape inference left \(shapeInferenceIssues.count) node(s) untyped:")
            lines.append(contentsOf: shapeInferenceIssues.prefix(10).map { "  \($0)" })
        }
        return lines.joined(separator: "\n")
    }

    private var macsText: String {
        let at = compute.inputShapes.isEmpty
            ? "" : " at " + compute.inputShapes.sorted { $0.key < $1.key }.map { "\($0.key)=\(Self.shapeText($0.value))" }.joined(separator: ", ")
        if let value = compute.totalMACs.dim.value {
            return "\(Formatting.count(value))\(at) (\(Formatting.grouped(value)))"
        }
        if compute.totalMACs.dim.isUnknown { return "unknown" + at }
        return "\(compute.totalMACs.dim)\(at) — bind inputs with --input-shape for a number"
    }

    static func shapeText(_ dims: [JSONDim]) -> String {
        dims.isEmpty ? "scalar" : dims.map { $0.dim.description }.joined(separator: "×")
    }
}

extension String {
    fileprivate var trimmed: String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}
