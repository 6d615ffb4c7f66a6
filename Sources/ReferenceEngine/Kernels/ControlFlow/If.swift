import Foundation
import TensorCore

extension OperatorRegistry {
    /// If: runs the then or the else branch, which read outer-scope values by name, and returns
    /// its outputs, whatever their kind (tensors, sequences, optionals).
    mutating func registerIf() {
        registerValues("If", foldable: false) { node throws(ReferenceEngineError) in
            let thenBranch = try node.subgraph("then_branch")
            let elseBranch = try node.subgraph("else_branch")
            let names = node.implicitInputs
            let first = node.node.inputs.count
            return { inputs, context in
                let outer = try ControlFlowValues.outer(inputs, names: names, from: first)
                let branch = try ControlFlowValues.truth(try inputs.tensor(0)) ? thenBranch : elseBranch
                return try branch.run(formal: [], outer: outer, threads: context.threads)
            }
        }
    }
}
