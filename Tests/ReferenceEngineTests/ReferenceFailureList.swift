import Foundation
import TesseraTestSupport

/// The committed list of node cases the reference engine does not pass
/// (`docs/reference-engine-failures.md`, written by `Scripts/list-reference-failures.py`):
/// per suite a `## ` section, per reason a `### ` group, one `` - `test_name`: why `` line per case.
struct ReferenceFailureList {
    enum Reason: String, CaseIterable {
        case dataFault = "Data fault"
        case random = "Random"
        case notImplemented = "Not implemented"
        case knownDifference = "Known difference"
    }

    static let debianHeading = "Debian libonnx-testdata 1.12"
    static let currentHeading = "onnx 1.23.2 node cases"

    /// Case name → reason, per suite heading.
    var sections: [String: [String: Reason]] = [:]

    static func load() throws -> ReferenceFailureList {
        let url = Fixtures.repositoryRoot.appendingPathComponent("docs/reference-engine-failures.md")
        return ReferenceFailureList(text: try String(contentsOf: url, encoding: .utf8))
    }

    init(text: String) {
        var suite: String?
        var reason: Reason?
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            if line.hasPrefix("### ") {
                let title = line.dropFirst(4)
                reason = Reason.allCases.first { title.hasPrefix($0.rawValue) }
            } else if line.hasPrefix("## ") {
                let title = line.dropFirst(3)
                suite = [Self.debianHeading, Self.currentHeading].first { title.hasPrefix($0) }
                reason = nil
            } else if line.hasPrefix("- `"), let suite, let reason {
                let name = line.dropFirst(3).prefix { $0 != "`" }
                sections[suite, default: [:]][String(name)] = reason
            }
        }
    }

    /// The listed cases of one suite.
    func section(_ heading: String) -> [String: Reason] { sections[heading] ?? [:] }
}
