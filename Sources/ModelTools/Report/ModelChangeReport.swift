public import Foundation
public import ONNXModel
public import TensorCore

/// What a model-rewriting command (`tessera optimize`, `tessera quantize`) did: node counts before
/// and after, in total and per operator type, file sizes, one step per pass, and optionally the
/// `verify` figures of the written model against the input model.
///
/// Its `Codable` form is the command's `--json` output (docs/json-output.md); ``text`` is the
/// human summary. Verify figures are `Verifier` comparisons, rendered by the caller the way
/// `tessera verify` renders them.
///
/// ```swift
/// var report = ModelChangeReport(command: "optimize", input: inURL, output: outURL, before: original, after: optimized)
/// report.steps.append(.init(name: "dead-nodes", summary: "removed 3 unused nodes", nodesRemoved: 3))
/// print(report.text)
/// ```
public struct ModelChangeReport: Sendable, Codable {
    /// Node and initializer counts of one model, and its file size once written.
    public struct Counts: Sendable, Codable, Hashable {
        public var nodes: Int
        /// Node count per operator type (`domain:Type` outside the default domain).
        public var byOperator: [String: Int]
        public var initializers: Int
        /// Bytes of the model's initializer payloads.
        public var initializerBytes: Int
        /// Bytes of the model file; `nil` until it exists on disk.
        public var fileBytes: Int?

        /// Counts `model`'s top-level graph; `file` adds its size when given.
        public init(model: Model, file: URL? = nil) {
            let graph = model.graph
            nodes = graph.nodes.count
            byOperator = graph.nodes.reduce(into: [:]) { counts, node in
                counts[node.domain.isEmpty || node.domain == "ai.onnx" ? node.opType : "\(node.domain):\(node.opType)", default: 0] += 1
            }
            initializers = graph.initializers.count
            initializerBytes = graph.initializers.reduce(0) { $0 + $1.tensor.byteCount }
            fileBytes = file.flatMap(Self.size(of:))
        }

        /// The size of the file at `url`, `nil` when it cannot be read.
        static func size(of url: URL) -> Int? {
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: url.path),
                let size = attributes[.size] as? Int
            else { return nil }
            return size
        }
    }

    /// What one pass (or quantization stage) changed.
    public struct Step: Sendable, Codable, Hashable {
        /// The pass name as `--passes` spells it.
        public var name: String
        /// One line for people: `fused 53 BatchNormalization into Conv`; `no change` when nothing fired.
        public var summary: String
        public var nodesRemoved: Int
        public var nodesAdded: Int
        /// Initializers added, replaced or removed.
        public var initializersChanged: Int

        public init(name: String, summary: String, nodesRemoved: Int = 0, nodesAdded: Int = 0, initializersChanged: Int = 0) {
            self.name = name
            self.summary = summary
            self.nodesRemoved = nodesRemoved
            self.nodesAdded = nodesAdded
            self.initializersChanged = initializersChanged
        }

        /// Whether the step changed anything.
        public var changed: Bool { nodesRemoved + nodesAdded + initializersChanged > 0 }
    }

    /// The written model run against the input model with the same inputs (`--verify`).
    public struct Verification: Sendable, Codable {
        /// One input (`random:0`, a file) and its comparisons.
        public struct Round: Sendable, Codable {
            public var input: String
            public var shapes: [String: [Int]]
            public var comparisons: [Verifier.Comparison]

            public init(input: String, shapes: [String: [Int]], comparisons: [Verifier.Comparison]) {
                self.input = input
                self.shapes = shapes
                self.comparisons = comparisons
            }

            /// A comparison as `tessera verify --json` writes it: with its `passed` verdict.
            private struct EncodedComparison: Encodable {
                var reference: String
                var candidate: String
                var passed: Bool
                var outputs: [OutputDifference]
            }

            private enum CodingKeys: String, CodingKey { case input, shapes, comparisons }

            public func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(input, forKey: .input)
                try container.encode(shapes, forKey: .shapes)
                try container.encode(
                    comparisons.map {
                        EncodedComparison(reference: $0.reference, candidate: $0.candidate, passed: $0.passed, outputs: $0.outputs)
                    }, forKey: .comparisons)
            }
        }

        public var tolerance: Tolerance
        public var rounds: [Round]
        public var passed: Bool { rounds.allSatisfy { $0.comparisons.allSatisfy(\.passed) } }

        public init(tolerance: Tolerance, rounds: [Round]) {
            self.tolerance = tolerance
            self.rounds = rounds
        }

        private enum CodingKeys: String, CodingKey { case tolerance, rounds, passed }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            tolerance = try container.decode(Tolerance.self, forKey: .tolerance)
            rounds = try container.decode([Round].self, forKey: .rounds)
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(tolerance, forKey: .tolerance)
            try container.encode(rounds, forKey: .rounds)
            try container.encode(passed, forKey: .passed)
        }
    }

    public var schemaVersion = 1
    /// `optimize` or `quantize`.
    public var command: String
    public var input: String
    public var output: String
    public var before: Counts
    public var after: Counts
    public var steps: [Step]
    public var verification: Verification?

    public init(command: String, input: URL, output: URL, before: Counts, after: Counts, steps: [Step] = []) {
        self.command = command
        self.input = input.path
        self.output = output.path
        self.before = before
        self.after = after
        self.steps = steps
    }
}

extension ModelChangeReport {
    /// The summary for people: totals, the steps, and the operator types whose count changed.
    /// Verify figures are left to the caller's verify rendering.
    public var text: String {
        var lines = ["\(command) \(input) → \(output)"]
        lines.append("  nodes \(before.nodes) → \(after.nodes), initializers \(before.initializers) → \(after.initializers)")
        if let a = before.fileBytes, let b = after.fileBytes {
            lines.append("  file \(Self.megabytes(a)) → \(Self.megabytes(b))")
        }
        if !steps.isEmpty {
            let width = steps.map(\.name.count).max() ?? 0
            lines.append("steps:")
            for step in steps { lines.append("  \(step.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(step.summary)") }
        }
        let changed = Set(before.byOperator.keys).union(after.byOperator.keys)
            .filter { before.byOperator[$0] != after.byOperator[$0] }.sorted()
        if !changed.isEmpty {
            lines.append("operators changed:")
            let width = changed.map(\.count).max() ?? 0
            for op in changed {
                let name = op.padding(toLength: width, withPad: " ", startingAt: 0)
                lines.append("  \(name)  \(before.byOperator[op] ?? 0) → \(after.byOperator[op] ?? 0)")
            }
        }
        return lines.joined(separator: "\n")
    }

    private static func megabytes(_ bytes: Int) -> String {
        bytes < 10_000 ? "\(bytes) B" : String(format: "%.2f MB", Double(bytes) / 1_000_000)
    }
}
