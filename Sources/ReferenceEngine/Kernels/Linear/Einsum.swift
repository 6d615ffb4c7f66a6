import Foundation
import TensorCore

/// Einsum: products of the operands summed over the labels the output omits, for any equation
/// (`ij,jk->ik`, the implicit form `ij,jk`, repeated labels for diagonals, `...` for broadcast
/// leading axes). Runs over every combination of label values: simple, and fast enough for the
/// small tensors equations usually contract.
struct EinsumKernel {
    /// Each operand's labels (an ellipsis as the placeholder `.`), and the output's.
    let operands: [[Character]]
    let output: [Character]?

    init(_ node: NodeContext) throws(ReferenceEngineError) {
        guard let equation = try node.string("equation") else { throw node.invalid("attribute 'equation' is required") }
        let text = equation.filter { !$0.isWhitespace }
        let sides = text.components(separatedBy: "->")
        try node.require(sides.count <= 2, "equation '\(equation)' has more than one '->'")
        func labels(_ term: String) throws(ReferenceEngineError) -> [Character] {
            let compact = term.replacingOccurrences(of: "...", with: ".")
            try node.require(compact.allSatisfy { $0.isLetter || $0 == "." } && compact.filter { $0 == "." }.count <= 1,
                             "term '\(term)' of equation '\(equation)' is not letters with at most one '...'")
            return Array(compact)
        }
        var terms: [[Character]] = []
        for term in sides[0].components(separatedBy: ",") { terms.append(try labels(term)) }
        operands = terms
        output = sides.count == 2 ? try labels(sides[1]) : nil
    }

    func run(_ inputs: KernelInputs) throws(KernelError) -> NDArray {
        guard inputs.count == operands.count else {
            throw .invalid("the equation has \(operands.count) operands, the node \(inputs.count) inputs")
        }
        let arrays = try (0..<inputs.count).map { index throws(KernelError) in try inputs.at(index) }
        // The ellipsis stands for as many axes as the operand has beyond its letters; they are
        // named by private labels, aligned from the right like broadcasting.
        let broadcastRank = zip(arrays, operands).map { $0.rank - ($1.count - ($1.contains(".") ? 1 : 0)) }.max() ?? 0
        let hidden = (0..<max(0, broadcastRank)).map { Character(UnicodeScalar(0x100 + $0)!) }
        var sizes: [Character: Int] = [:]
        var expanded: [[Character]] = []
        for (array, term) in zip(arrays, operands) {
            var labels: [Character] = []
            for label in term {
                if label == "." {
                    let count = array.rank - (term.count - 1)
                    guard count >= 0 else { throw .shapeMismatch("operand \(array.shape) has fewer axes than '\(String(term))'") }
                    labels += hidden.suffix(count)
                } else {
                    labels.append(label)
                }
            }
            guard labels.count == array.rank else { throw .shapeMismatch("operand \(array.shape) does not have \(labels.count) axes") }
            for (label, size) in zip(labels, array.shape) {
                if let known = sizes[label], known != size, known != 1, size != 1 {
                    throw .shapeMismatch("label '\(label)' is \(known) in one operand and \(size) in another")
                }
                sizes[label] = max(sizes[label] ?? 1, size)
            }
            expanded.append(labels)
        }
        let outputLabels: [Character]
        if let output {
            outputLabels = output.flatMap { $0 == "." ? hidden : [$0] }
        } else {
            // Implicit form: the broadcast axes, then the labels used once, alphabetically.
            let all = operands.flatMap { $0 }.filter { $0 != "." }
            outputLabels = hidden + Set(all).filter { label in all.filter { $0 == label }.count == 1 }.sorted()
        }
        for label in outputLabels where sizes[label] == nil { throw .invalid("output label '\(label)' is in no operand") }
        let summed = Array(Set(sizes.keys).subtracting(outputLabels))
        let loopLabels = outputLabels + summed
        let loopSizes = loopLabels.map { sizes[$0]! }
        let position = Dictionary(uniqueKeysWithValues: loopLabels.enumerated().map { ($1, $0) })
        // For each operand, its stride per loop label (0 where a size-1 axis is broadcast).
        let values = try arrays.map { array throws(KernelError) in try array.floatValues() }
        let strides = zip(arrays, expanded).map { array, labels in
            var result = [Int](repeating: 0, count: loopLabels.count)
            for (axis, stride) in ShapeMath.strides(array.shape).enumerated() where array.shape[axis] != 1 {
                result[position[labels[axis]]!] += stride
            }
            return result
        }
        let outputCount = outputLabels.map { sizes[$0]! }.product
        let summedCount = summed.map { sizes[$0]! }.product
        var result = [Float](repeating: 0, count: outputCount)
        var counter = [Int](repeating: 0, count: loopLabels.count)
        var offsets = [Int](repeating: 0, count: arrays.count)
        for flat in 0..<(outputCount * summedCount) {
            var product: Float = 1
            for k in arrays.indices { product *= values[k][offsets[k]] }
            result[flat / max(summedCount, 1)] += product
            // Advance the odometer, innermost loop label first.
            var axis = loopLabels.count - 1
            while axis >= 0 {
                counter[axis] += 1
                for k in arrays.indices { offsets[k] += strides[k][axis] }
                if counter[axis] < loopSizes[axis] { break }
                for k in arrays.indices { offsets[k] -= strides[k][axis] * loopSizes[axis] }
                counter[axis] = 0
                axis -= 1
            }
        }
        let type = arrays[0].dataType
        let shape = outputLabels.map { sizes[$0]! }
        if type.isEngineFloat { return NDArray(floats: result, shape: shape, type: type) }
        return NDArray(ints: result.map { type.wrap(Int64($0)) }, shape: shape, type: type)
    }
}

extension OperatorRegistry {
    mutating func registerEinsum() {
        register("Einsum", since: 12) { node throws(ReferenceEngineError) in
            let kernel = try EinsumKernel(node)
            return { inputs, _ in [try kernel.run(inputs)] }
        }
    }
}
