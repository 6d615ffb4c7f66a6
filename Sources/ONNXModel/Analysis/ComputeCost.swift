public import TensorCore

/// Multiply-accumulate counts of the compute-heavy operators (Conv, ConvTranspose, Gemm, MatMul),
/// from inferred shapes.
///
/// Counts are ``Dim`` expressions: a model with a symbolic input gives a formula such as
/// `45312*H*W`, and becomes a number once the input shape is bound.
public struct ComputeCost: Sendable {
    /// MACs summed per operator type.
    public var macsByOperator: [String: Dim]
    /// Nodes of those operators whose shapes were not known well enough to count.
    public var uncountedNodes: [String]

    /// The sum over all operators.
    public var totalMACs: Dim {
        (try? macsByOperator.values.reduce(Dim.value(0)) { try $0.adding($1) }) ?? .unknown
    }

    /// Counts the main graph's nodes using `types` from shape inference.
    public init(model: Model, types: InferredTypes) {
        macsByOperator = [:]
        uncountedNodes = []
        for (index, node) in model.graph.nodes.enumerated() where OpsetImport.canonicalDomain(node.domain).isEmpty {
            guard ["Conv", "ConvTranspose", "Gemm", "MatMul"].contains(node.opType) else { continue }
            func dims(_ position: Int, from names: [String]) -> [Dim]? {
                guard position < names.count else { return nil }
                return types.values[names[position]]?.tensorType?.dims
            }
            let macs: Dim?
            do {
                macs = try Self.macs(
                    of: node, input: dims(0, from: node.inputs), weight: dims(1, from: node.inputs),
                    output: dims(0, from: node.outputs))
            } catch {
                macs = nil
            }
            if let macs, !macs.isUnknown {
                macsByOperator[node.opType] = (try? (macsByOperator[node.opType] ?? .value(0)).adding(macs)) ?? .unknown
            } else {
                uncountedNodes.append(node.label(index: index))
            }
        }
    }

    private static func macs(of node: Node, input: [Dim]?, weight: [Dim]?, output: [Dim]?) throws -> Dim? {
        guard let input, let weight, let output else { return nil }
        switch node.opType {
        case "Conv":
            // Every output element takes (C_in / group) × kernel MACs; weight is [C_out, C_in/group, k…].
            guard weight.count >= 2 else { return nil }
            return try product(output).multiplied(by: product(weight.dropFirst()))
        case "ConvTranspose":
            // Every input element scatters into (C_out / group) × kernel outputs; weight is [C_in, C_out/group, k…].
            guard weight.count >= 2 else { return nil }
            return try product(input).multiplied(by: product(weight.dropFirst()))
        case "Gemm":
            // Output [M, N]; the shared dimension K is A's second dim, or its first when transA is set.
            guard input.count == 2 else { return nil }
            return try product(output).multiplied(by: node.int("transA", default: 0) != 0 ? input[0] : input[1])
        case "MatMul":
            // Output already carries the broadcast batch and M, N; K is A's last dim.
            guard let k = input.last else { return nil }
            return try product(output).multiplied(by: k)
        default:
            return nil
        }
    }

    private static func product(_ dims: some Sequence<Dim>) throws -> Dim {
        try dims.reduce(Dim.value(1)) { try $0.multiplied(by: $1) }
    }
}
