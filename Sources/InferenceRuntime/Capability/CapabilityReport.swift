public import TensorCore

/// Whether one library can run a model on one device, with every reason it cannot.
public struct CapabilityReport: Sendable, Codable, Hashable {
    /// The overall answer, derived from the findings' severities.
    public enum Verdict: String, Sendable, Codable {
        /// Everything runs on the device.
        case supported
        /// Runs, but some nodes fall back to another device of the same library (ONNX Runtime's CPU provider).
        case supportedWithFallback
        /// Cannot run; the blocking findings say why.
        case unsupported
    }

    /// One problem or remark.
    public struct Finding: Sendable, Codable, Hashable, CustomStringConvertible {
        public enum Severity: String, Sendable, Codable, Hashable {
            case blocking, fallback, note
        }

        public enum Reason: Sendable, Codable, Hashable {
            case operatorMissing(OperatorKey)
            case operatorVersionTooNew(OperatorKey, newestSupported: Int)
            case dataTypeUnsupported(OperatorKey, DataType)
            case unknownOperator(String)
            case libraryTooOld(required: String, found: String)
            case notEnoughMemory(requiredBytes: Int64, availableBytes: Int64)
            case other(String)
        }

        public var severity: Severity
        /// The nodes concerned; empty for model-wide findings.
        public var nodes: [String]
        public var reason: Reason

        public init(severity: Severity, nodes: [String], reason: Reason) {
            self.severity = severity
            self.nodes = nodes
            self.reason = reason
        }

        public var description: String {
            let what: String
            switch reason {
            case .operatorMissing(let key): what = "operator \(key) is not implemented"
            case .operatorVersionTooNew(let key, let newest):
                what = "operator \(key) is newer than the library supports (up to \(key.type)-\(newest))"
            case .dataTypeUnsupported(let key, let type): what = "operator \(key) does not take \(type)"
            case .unknownOperator(let name): what = "operator \(name) is not an ONNX operator at the model's opset"
            case .libraryTooOld(let required, let found): what = "library \(found) is older than the required \(required)"
            case .notEnoughMemory(let required, let available):
                what = "needs \(required / 1_048_576) MiB, the device has \(available / 1_048_576) MiB"
            case .other(let text): what = text
            }
            let count = nodes.count
            let nodeText = count == 0 ? "" : " (\(count) node\(count == 1 ? "" : "s"): \(nodes.prefix(3).joined(separator: ", "))\(count > 3 ? ", …" : ""))"
            return what + nodeText
        }
    }

    public var backend: BackendID
    public var device: DeviceID
    public var findings: [Finding]

    public init(backend: BackendID, device: DeviceID, findings: [Finding]) {
        self.backend = backend
        self.device = device
        self.findings = findings
    }

    public var verdict: Verdict {
        if findings.contains(where: { $0.severity == .blocking }) { return .unsupported }
        if findings.contains(where: { $0.severity == .fallback }) { return .supportedWithFallback }
        return .supported
    }
}
