import Foundation

/// An ONNX model: its graph, the operator sets it imports, and its metadata.
///
/// Load one with ``Model/init(contentsOf:)`` and save with ``Model/write(to:options:)``. Large
/// initializers are not copied after the file is parsed; tensors from external data files share the
/// memory-mapped pages.
///
/// ```swift
/// var model = try Model(contentsOf: URL(fileURLWithPath: "x4.onnx"))
/// try model.validate()
/// try model.write(to: URL(fileURLWithPath: "copy.onnx"))
/// ```
public struct Model: Sendable {
    /// The IR version the file declares.
    public var irVersion: Int64
    /// The operator sets the graph's nodes are written against, one per domain.
    public var opsetImports: [OpsetImport]
    public var producerName: String
    public var producerVersion: String
    public var domain: String
    public var modelVersion: Int64
    public var docString: String
    /// `metadata_props`, in file order.
    public var metadata: [MetadataEntry]
    /// The main graph.
    public var graph: Graph
    /// Model-level fields the IR does not interpret (local functions, training info, device
    /// configurations), carried unchanged from load to save.
    var retained: RetainedModelFields

    /// A model around `graph`, importing `opsetImports`; metadata is empty.
    public init(graph: Graph, opsetImports: [OpsetImport], irVersion: Int64 = 10) {
        self.irVersion = irVersion
        self.opsetImports = opsetImports
        self.producerName = ""
        self.producerVersion = ""
        self.domain = ""
        self.modelVersion = 0
        self.docString = ""
        self.metadata = []
        self.graph = graph
        self.retained = RetainedModelFields()
    }

    /// The opset version imported for `domain` (`""` and `"ai.onnx"` are the same domain).
    public func opsetVersion(for domain: String) -> Int? {
        let wanted = OpsetImport.canonicalDomain(domain)
        return opsetImports.first { OpsetImport.canonicalDomain($0.domain) == wanted }.map { Int($0.version) }
    }

    /// Names of the model-local functions, as `domain:name`, which count as known operators.
    public var localFunctionNames: Set<String> { retained.localFunctionNames }
}

/// An `(domain, version)` pair from the model's `opset_import`.
public struct OpsetImport: Hashable, Sendable, Codable {
    /// The domain; `""` is the default `ai.onnx` domain.
    public var domain: String
    public var version: Int64

    public init(domain: String, version: Int64) {
        self.domain = domain
        self.version = version
    }

    /// Maps `ai.onnx` to `""`, its canonical spelling.
    public static func canonicalDomain(_ domain: String) -> String { domain == "ai.onnx" ? "" : domain }
}

/// One key/value pair of `metadata_props`.
public struct MetadataEntry: Hashable, Sendable, Codable {
    public var key: String
    public var value: String

    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}
