public import ONNXModel
public import TensorCore

/// A read-only projection of a model for capability checks: opset imports, each node with its
/// resolved operator version and input types, the interface and the weight size. Backends never
/// see protobuf types or the full IR.
public struct ModelSummary: Sendable {
    /// One node as capability checks see it.
    public struct NodeSummary: Sendable, Hashable {
        public var label: String
        public var key: OperatorKey
        /// Element types of the inputs, `nil` where unknown or omitted.
        public var inputTypes: [DataType?]

        public init(label: String, key: OperatorKey, inputTypes: [DataType?]) {
            self.label = label
            self.key = key
            self.inputTypes = inputTypes
        }
    }

    /// Opset version per canonical domain (`""` is `ai.onnx`).
    public var opsets: [String: Int]
    public var nodes: [NodeSummary]
    public var inputs: [ValueInfo]
    public var outputs: [ValueInfo]
    public var parameterBytes: Int
    /// The file's IR version; libraries refuse files newer than they know.
    public var irVersion: Int64
    /// Nodes whose operator the schema table does not know at the model's opset (custom ops,
    /// typos, an opset too old for the operator).
    public var unknownOperators: [String]
    /// Nodes whose domain is written `ai.onnx` rather than `""`: the same operators, but some
    /// libraries look their domain up verbatim (OpenVINO refuses them).
    public var spelledOutDomainNodes: [String] = []

    /// A summary from its parts, for a model described elsewhere than in its file (a manifest
    /// records operators and opsets so capability checks can run before anything is fetched).
    public init(
        opsets: [String: Int], nodes: [NodeSummary], inputs: [ValueInfo], outputs: [ValueInfo], parameterBytes: Int,
        irVersion: Int64, unknownOperators: [String] = []
    ) {
        self.opsets = opsets
        self.nodes = nodes
        self.inputs = inputs
        self.outputs = outputs
        self.parameterBytes = parameterBytes
        self.irVersion = irVersion
        self.unknownOperators = unknownOperators
    }

    /// Summarises `model`, resolving since-versions with `schemas` and input types with shape inference.
    public init(model: Model, schemas: OperatorSchemas) {
        opsets = Dictionary(
            model.opsetImports.map { (OpsetImport.canonicalDomain($0.domain), Int($0.version)) },
            uniquingKeysWith: { first, _ in first })
        let types = (try? model.inferTypes())?.values ?? [:]
        var nodes: [NodeSummary] = []
        var unknown: [String] = []
        var spelledOut: [String] = []
        for (index, node) in model.graph.nodes.enumerated() {
            let domain = OpsetImport.canonicalDomain(node.domain)
            if node.domain == "ai.onnx" { spelledOut.append(node.label(index: index)) }
            let opset = opsets[domain] ?? 0
            let since = schemas.sinceVersion(of: node.opType, domain: domain, opset: opset)
            // Only the ONNX domains the schema table defines can be judged here; other domains
            // (com.microsoft contrib ops, custom ops) are left to each library's own table.
            if since == nil, schemas.knows(domain: domain) { unknown.append(node.label(index: index)) }
            nodes.append(
                NodeSummary(
                    label: node.label(index: index),
                    key: OperatorKey(domain: domain, type: node.opType, sinceVersion: since ?? opset),
                    inputTypes: node.inputs.map { $0.isEmpty ? nil : types[$0]?.tensorType?.elementType }))
        }
        self.nodes = nodes
        unknownOperators = unknown
        spelledOutDomainNodes = spelledOut
        inputs = model.graph.runtimeInputs
        outputs = model.graph.outputs
        parameterBytes = ModelStatistics(model).parameterBytes
        irVersion = model.irVersion
    }
}

/// An operator version as libraries register kernels: domain, type, and the since-version that
/// the model's opset resolves to.
public struct OperatorKey: Hashable, Sendable, Codable, CustomStringConvertible {
    /// `""` is `ai.onnx`.
    public var domain: String
    public var type: String
    public var sinceVersion: Int

    public init(domain: String, type: String, sinceVersion: Int) {
        self.domain = domain
        self.type = type
        self.sinceVersion = sinceVersion
    }

    /// `Conv-11`, `com.microsoft:FusedConv-1`.
    public var description: String { (domain.isEmpty ? "" : "\(domain):") + "\(type)-\(sinceVersion)" }
}
