import Foundation
import ONNXModel
import TensorCore

/// A node as a kernel factory sees it: typed attribute reads that fail with an error naming the
/// node, the since-version its operator resolved to, and which inputs are constant.
struct NodeContext {
    let node: Node
    /// `'conv_3' (Conv)`, or `#12 (Conv)` for an unnamed node.
    let label: String
    /// The since-version of the operator definition in force at the model's opset.
    let sinceVersion: Int
    /// Inputs whose values are known at load time, by input index.
    let constants: [Int: NDArray]
    /// Outer-scope values the node's subgraphs read; the kernel receives them after the node's
    /// own inputs, in this order.
    let implicitInputs: [String]
    /// Compiles the node's subgraphs.
    let compiler: SubgraphCompiler

    /// An error naming this node.
    func invalid(_ reason: String) -> ReferenceEngineError { .invalidNode(node: label, reason: reason) }

    /// Inputs actually given: the count up to the last non-empty name.
    var inputCount: Int { (node.inputs.lastIndex { !$0.isEmpty } ?? -1) + 1 }
    /// Whether input `index` is present.
    func hasInput(_ index: Int) -> Bool { index < node.inputs.count && !node.inputs[index].isEmpty }
    /// Outputs actually requested.
    var outputCount: Int { (node.outputs.lastIndex { !$0.isEmpty } ?? -1) + 1 }

    func int(_ name: String) throws(ReferenceEngineError) -> Int? {
        guard let attribute = node.attribute(name) else { return nil }
        guard case .int(let value) = attribute.value, let result = Int(exactly: value) else {
            throw invalid("attribute '\(name)' must be an INT, found \(attribute.typeName)")
        }
        return result
    }

    func int(_ name: String, default value: Int) throws(ReferenceEngineError) -> Int { try int(name) ?? value }

    func float(_ name: String, default value: Float) throws(ReferenceEngineError) -> Float {
        guard let attribute = node.attribute(name) else { return value }
        switch attribute.value {
        case .float(let result): return result
        case .int(let result): return Float(result)
        default: throw invalid("attribute '\(name)' must be a FLOAT, found \(attribute.typeName)")
        }
    }

    func ints(_ name: String) throws(ReferenceEngineError) -> [Int]? {
        guard let attribute = node.attribute(name) else { return nil }
        switch attribute.value {
        case .ints(let values): return values.map { Int(truncatingIfNeeded: $0) }
        case .int(let value): return [Int(truncatingIfNeeded: value)]
        default: throw invalid("attribute '\(name)' must be INTS, found \(attribute.typeName)")
        }
    }

    func floats(_ name: String) throws(ReferenceEngineError) -> [Float]? {
        guard let attribute = node.attribute(name) else { return nil }
        switch attribute.value {
        case .floats(let values): return values
        case .float(let value): return [value]
        default: throw invalid("attribute '\(name)' must be FLOATS, found \(attribute.typeName)")
        }
    }

    func string(_ name: String) throws(ReferenceEngineError) -> String? {
        guard let attribute = node.attribute(name) else { return nil }
        guard let text = attribute.stringValue else {
            throw invalid("attribute '\(name)' must be a STRING, found \(attribute.typeName)")
        }
        return text
    }

    func string(_ name: String, default value: String) throws(ReferenceEngineError) -> String {
        try string(name) ?? value
    }

    /// One of `allowed`, or an error listing them.
    func choice(_ name: String, default value: String, in allowed: [String]) throws(ReferenceEngineError) -> String {
        let text = try string(name, default: value)
        guard allowed.contains(text) else {
            throw invalid("attribute '\(name)' is '\(text)'; expected one of \(allowed.joined(separator: ", "))")
        }
        return text
    }

    func tensor(_ name: String) throws(ReferenceEngineError) -> NDArray? {
        guard let attribute = node.attribute(name) else { return nil }
        guard case .tensor(let stored) = attribute.value else {
            throw invalid("attribute '\(name)' must be a TENSOR, found \(attribute.typeName)")
        }
        do { return try NDArray(stored.tensor) } catch { throw invalid("attribute '\(name)': \(error)") }
    }

    /// The plan of graph attribute `name`, which may read ``implicitInputs``.
    func subgraph(_ name: String) throws(ReferenceEngineError) -> ExecutionPlan {
        guard let attribute = node.attribute(name) else { throw invalid("attribute '\(name)' is required") }
        guard case .graph(let graph) = attribute.value else {
            throw invalid("attribute '\(name)' must be a GRAPH, found \(attribute.typeName)")
        }
        return try ExecutionPlan(graph: graph, outerScope: implicitInputs, compiler: compiler)
    }

    /// Fails unless `condition` holds.
    func require(_ condition: Bool, _ reason: @autoclosure () -> String) throws(ReferenceEngineError) {
        if !condition { throw invalid(reason()) }
    }
}
