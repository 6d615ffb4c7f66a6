/// Counts of outcomes, overall and per operator.
public struct ConformanceSummary: Sendable, Codable, Hashable {
    public struct Counts: Sendable, Codable, Hashable {
        public var passed = 0
        public var failed = 0
        public var unsupported = 0
        public var skipped = 0

        public var total: Int { passed + failed + unsupported + skipped }

        mutating func add(_ outcome: CaseResult.Outcome) {
            switch outcome {
            case .passed: passed += 1
            case .failed: failed += 1
            case .unsupported: unsupported += 1
            case .skipped: skipped += 1
            }
        }
    }

    public var library: String
    public var device: String
    public var overall = Counts()
    public var byOperator: [String: Counts] = [:]

    public init(library: String, device: String, results: [CaseResult]) {
        self.library = library
        self.device = device
        for result in results {
            overall.add(result.outcome)
            byOperator[result.operatorType, default: Counts()].add(result.outcome)
        }
    }

    /// `onnxruntime on onnxruntime:cpu: 888 passed, 20 failed, 14 unsupported, 10 skipped of 932`.
    public var line: String {
        "\(library) on \(device): \(overall.passed) passed, \(overall.failed) failed, "
            + "\(overall.unsupported) unsupported, \(overall.skipped) skipped of \(overall.total)"
    }
}
