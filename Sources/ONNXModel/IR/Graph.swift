/// A computation graph: nodes, the tensors they read and write, and the graph's interface.
///
/// Nodes are kept in file order; ``topologicalOrder()`` gives an order in which each node follows
/// the producers of its inputs.
public struct Graph: Sendable {
    public var name: String
    public var nodes: [Node]
    /// Constant tensors, in file order.
    public var initializers: [StoredTensor]
    /// The graph inputs. Before IR version 4 an initializer may also be listed here, as a default.
    public var inputs: [ValueInfo]
    public var outputs: [ValueInfo]
    /// Types of intermediate values, where the file records them.
    public var valueInfo: [ValueInfo]
    public var docString: String
    /// Graph-level fields the IR does not interpret (sparse initializers, quantization
    /// annotations, metadata), carried unchanged.
    var retained: RetainedGraphFields

    public init(
        name: String, nodes: [Node], initializers: [StoredTensor] = [], inputs: [ValueInfo],
        outputs: [ValueInfo], valueInfo: [ValueInfo] = []
    ) {
        self.name = name
        self.nodes = nodes
        self.initializers = initializers
        self.inputs = inputs
        self.outputs = outputs
        self.valueInfo = valueInfo
        self.docString = ""
        self.retained = RetainedGraphFields()
    }

    /// Graph inputs that are not also initializers: what a caller must feed.
    public var runtimeInputs: [ValueInfo] {
        let constants = Set(initializers.map(\.name))
        return inputs.filter { !constants.contains($0.name) }
    }

    /// Initializers by name.
    public var initializersByName: [String: StoredTensor] {
        Dictionary(initializers.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }
}

/// One operator application.
public struct Node: Sendable {
    public var name: String
    public var opType: String
    /// The operator's domain; `""` is `ai.onnx`.
    public var domain: String
    /// Input value names; an empty string marks an omitted optional input.
    public var inputs: [String]
    /// Output value names; an empty string marks an omitted optional output.
    public var outputs: [String]
    public var attributes: [Attribute]
    public var docString: String
    /// `overload`, for calls of overloaded local functions.
    public var overload: String
    var retained: RetainedNodeFields

    public init(
        name: String, opType: String, domain: String = "", inputs: [String], outputs: [String],
        attributes: [Attribute] = []
    ) {
        self.name = name
        self.opType = opType
        self.domain = domain
        self.inputs = inputs
        self.outputs = outputs
        self.attributes = attributes
        self.docString = ""
        self.overload = ""
        self.retained = RetainedNodeFields()
    }

    /// The attribute called `name`, if present.
    public func attribute(_ name: String) -> Attribute? { attributes.first { $0.name == name } }

    /// The `INT` attribute `name`, or `fallback` when absent or of another type.
    public func int(_ name: String, default fallback: Int64) -> Int64 {
        if case .int(let value)? = attribute(name)?.value { return value }
        return fallback
    }

    /// The `INTS` attribute `name`, if present.
    public func ints(_ name: String) -> [Int64]? {
        if case .ints(let values)? = attribute(name)?.value { return values }
        return nil
    }

    /// The `FLOAT` attribute `name`, or `fallback` when absent or of another type.
    public func float(_ name: String, default fallback: Float) -> Float {
        if case .float(let value)? = attribute(name)?.value { return value }
        return fallback
    }

    /// How errors and reports name this node: `'conv_3' (Conv)`, or `#12 (Conv)` when unnamed.
    public func label(index: Int? = nil) -> String {
        if !name.isEmpty { return "'\(name)' (\(opType))" }
        if let index { return "#\(index) (\(opType))" }
        return "(\(opType))"
    }
}

/// A named value with its type: a graph input, output or `value_info` entry.
public struct ValueInfo: Sendable, Hashable {
    public var name: String
    /// `nil` when the file gives no type.
    public var type: ValueType?
    public var docString: String

    public init(name: String, type: ValueType?, docString: String = "") {
        self.name = name
        self.type = type
        self.docString = docString
    }
}
