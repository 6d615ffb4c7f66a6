public import Foundation

/// Every operator the pinned `onnx` package defines, with the opset versions at which each
/// changed, loaded from `Resources/operator-schemas.json` (written by
/// `Scripts/generate-operator-schemas.py`).
///
/// ```swift
/// let schemas = try OperatorSchemas.standard()
/// schemas.sinceVersion(of: "Resize", domain: "", opset: 17)   // 13
/// ```
public struct OperatorSchemas: Sendable {
    /// One version of an operator.
    public struct Version: Sendable, Hashable, Codable {
        /// The opset version this definition starts at.
        public var since: Int
        public var deprecated: Bool
        /// Minimum and maximum input count; `nil` maximum means variadic.
        public var inputs: [Int?]
        public var outputs: [Int?]
    }

    /// The `onnx` package version the table was generated from.
    public let onnxVersion: String
    /// The newest opset of each domain (`ai.onnx` spelled out).
    public let newestOpset: [String: Int]
    private let operators: [String: [String: [Version]]]

    private struct File: Decodable {
        var onnx: String
        var maxOpset: [String: Int]
        var domains: [String: [String: [Version]]]
    }

    /// Decodes a table in the committed JSON format.
    public init(json: Data) throws {
        let file = try JSONDecoder().decode(File.self, from: json)
        onnxVersion = file.onnx
        newestOpset = file.maxOpset
        operators = file.domains
    }

    /// The table that ships with Tessera.
    public static func standard() throws -> OperatorSchemas {
        guard let url = Bundle.module.url(forResource: "operator-schemas", withExtension: "json") else {
            throw ONNXModelError.unreadable(reason: "operator-schemas.json is missing from the ONNXModel bundle")
        }
        return try OperatorSchemas(json: Data(contentsOf: url))
    }

    /// All versions of `type` in `domain` (`""` or `"ai.onnx"` for the default domain), oldest first.
    public func versions(of type: String, domain: String) -> [Version]? {
        operators[Self.tableDomain(domain)]?[type]
    }

    /// The definition in force at `opset`: the newest version whose `since` is not after it.
    /// `nil` when the operator is unknown or did not exist yet at that opset.
    public func version(of type: String, domain: String, opset: Int) -> Version? {
        versions(of: type, domain: domain)?.last { $0.since <= opset }
    }

    /// The since-version in force at `opset`, the key libraries register kernels under.
    public func sinceVersion(of type: String, domain: String, opset: Int) -> Int? {
        version(of: type, domain: domain, opset: opset)?.since
    }

    /// Names of every operator in `domain`, sorted.
    public func operatorNames(in domain: String) -> [String] {
        (operators[Self.tableDomain(domain)] ?? [:]).keys.sorted()
    }

    /// True when the table defines `domain` at all.
    public func knows(domain: String) -> Bool { operators[Self.tableDomain(domain)] != nil }

    private static func tableDomain(_ domain: String) -> String { domain.isEmpty ? "ai.onnx" : domain }
}
