public import TensorCore

/// Counts that describe a model's size: operators, parameters, bytes.
public struct ModelStatistics: Sendable, Hashable {
    /// Nodes per operator, subgraphs included; operators outside `ai.onnx` are keyed `domain:Type`.
    public var operatorHistogram: [String: Int]
    /// Nodes in the main graph and every subgraph.
    public var nodeCount: Int
    /// Number of initializers in the main graph and every subgraph.
    public var initializerCount: Int
    /// Elements summed over all initializers.
    public var parameterCount: Int
    /// Payload bytes summed over all initializers.
    public var parameterBytes: Int
    /// Parameter elements per element type.
    public var parametersByType: [DataType: Int]

    /// Walks `model`'s graph and its subgraphs.
    public init(_ model: Model) {
        self.init(graph: model.graph)
    }

    private init(graph: Graph) {
        operatorHistogram = [:]
        nodeCount = 0
        initializerCount = 0
        parameterCount = 0
        parameterBytes = 0
        parametersByType = [:]
        add(graph)
    }

    private mutating func add(_ graph: Graph) {
        for initializer in graph.initializers {
            initializerCount += 1
            parameterCount += initializer.tensor.elementCount
            parameterBytes += initializer.tensor.byteCount
            parametersByType[initializer.tensor.dataType, default: 0] += initializer.tensor.elementCount
        }
        for node in graph.nodes {
            nodeCount += 1
            let domain = OpsetImport.canonicalDomain(node.domain)
            operatorHistogram[domain.isEmpty ? node.opType : "\(domain):\(node.opType)", default: 0] += 1
            for attribute in node.attributes {
                for subgraph in attribute.subgraphs { add(subgraph) }
            }
        }
    }
}
