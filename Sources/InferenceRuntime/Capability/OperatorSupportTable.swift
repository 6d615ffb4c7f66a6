public import Foundation
public import TensorCore

/// What one library can run, keyed like the libraries' own kernel registries:
/// (domain, operator, since-version range, element types).
///
/// Tables for ONNX Runtime and OpenVINO are JSON files measured by probing each library
/// (`Scripts/probe-onnxruntime-operators.py`, `Scripts/probe-openvino-operators.py`); the reference
/// engine's is generated from its registry.
public struct OperatorSupportTable: Sendable, Codable {
    /// One registered version range of an operator.
    public struct Entry: Sendable, Codable, Hashable {
        /// First since-version covered.
        public var since: Int
        /// Last since-version covered; `nil` means up to the newest.
        public var until: Int?
        /// Element types accepted for the first input (ONNX's type variable `T`); `nil` means any.
        public var types: [String]?

        public init(since: Int, until: Int? = nil, types: [String]? = nil) {
            self.since = since
            self.until = until
            self.types = types
        }

        func covers(_ version: Int) -> Bool { since <= version && version <= (until ?? Int.max) }
    }

    /// The answer for one operator version.
    public enum Lookup: Sendable, Hashable {
        case supported
        case missing
        case versionTooNew(newestSupported: Int)
        case dataType(DataType)
    }

    /// The library the table describes and the version it was measured on.
    public var library: String
    public var libraryVersion: String
    /// Domain (`ai.onnx` spelled out) → operator → entries.
    public var operators: [String: [String: [Entry]]]
    /// The newest model IR version the library reads, where the probe measured it.
    public var maxIRVersion: Int?
    /// The newest `ai.onnx` opset a model may import and still load, where the probe measured a
    /// limit (ONNX Runtime refuses newer opsets outright; OpenVINO resolves each operator instead).
    public var maxOpset: Int?

    public init(
        library: String, libraryVersion: String, operators: [String: [String: [Entry]]], maxIRVersion: Int? = nil,
        maxOpset: Int? = nil
    ) {
        self.library = library
        self.libraryVersion = libraryVersion
        self.operators = operators
        self.maxIRVersion = maxIRVersion
        self.maxOpset = maxOpset
    }

    /// Reads a table in the JSON format the probe script writes.
    public init(json: Data) throws {
        self = try JSONDecoder().decode(OperatorSupportTable.self, from: json)
    }

    /// Looks up one operator version with the element type of its first input, if known.
    public func lookup(_ key: OperatorKey, firstInputType: DataType?) -> Lookup {
        let domain = key.domain.isEmpty ? "ai.onnx" : key.domain
        guard let entries = operators[domain]?[key.type], !entries.isEmpty else { return .missing }
        guard let entry = entries.first(where: { $0.covers(key.sinceVersion) }) else {
            let newest = entries.map { $0.until ?? $0.since }.max() ?? 0
            return newest < key.sinceVersion ? .versionTooNew(newestSupported: newest) : .missing
        }
        if let type = firstInputType, let types = entry.types, !types.contains(type.onnxName) {
            return .dataType(type)
        }
        return .supported
    }

    /// Findings for every node of `model` the table does not cover, grouped by reason.
    /// - Parameter severity: how much a gap matters on this route: `.blocking` where nothing else
    ///   runs the node, `.fallback` where the library moves it to another device.
    public func findings(for model: ModelSummary, severity: CapabilityReport.Finding.Severity)
        -> [CapabilityReport.Finding]
    {
        var grouped: [CapabilityReport.Finding.Reason: [String]] = [:]
        var order: [CapabilityReport.Finding.Reason] = []
        func add(_ reason: CapabilityReport.Finding.Reason, _ node: String) {
            if grouped[reason] == nil { order.append(reason) }
            grouped[reason, default: []].append(node)
        }
        let unknown = Set(model.unknownOperators)
        for node in model.nodes {
            if unknown.contains(node.label) {
                add(.unknownOperator(node.key.type), node.label)
                continue
            }
            switch lookup(node.key, firstInputType: node.inputTypes.first ?? nil) {
            case .supported: continue
            case .missing: add(.operatorMissing(node.key), node.label)
            case .versionTooNew(let newest): add(.operatorVersionTooNew(node.key, newestSupported: newest), node.label)
            case .dataType(let type): add(.dataTypeUnsupported(node.key, type), node.label)
            }
        }
        var findings: [CapabilityReport.Finding] = []
        if let maxIRVersion, model.irVersion > maxIRVersion {
            findings.append(CapabilityReport.Finding(
                severity: .blocking, nodes: [],
                reason: .other("the model's IR version \(model.irVersion) is newer than \(library) reads (up to \(maxIRVersion))")))
        }
        if let maxOpset, let opset = model.opsets[""], opset > maxOpset {
            findings.append(CapabilityReport.Finding(
                severity: .blocking, nodes: [],
                reason: .other("the model imports ai.onnx opset \(opset), newer than \(library) \(libraryVersion) loads (up to \(maxOpset))")))
        }
        return findings + order.map { reason in
            // Unknown operators block every route: no library can run what ONNX does not define.
            let level: CapabilityReport.Finding.Severity = if case .unknownOperator = reason { .blocking } else { severity }
            return CapabilityReport.Finding(severity: level, nodes: grouped[reason] ?? [], reason: reason)
        }
    }
}
