/// The inputs a kernel receives, in the node's order; omitted optional inputs are `nil`.
struct NodeInputs<Value> {
    let values: [Value?]

    var count: Int { values.count }

    /// Input `index`, which must be present.
    func at(_ index: Int) throws(KernelError) -> Value {
        guard index < values.count, let value = values[index] else { throw .missingInput(index) }
        return value
    }

    /// Input `index` if given.
    func optional(_ index: Int) -> Value? { index < values.count ? values[index] : nil }
}

/// A tensor kernel's inputs.
typealias KernelInputs = NodeInputs<NDArray>

/// Computes one node's outputs from its inputs. Created once per node at load, with the node's
/// attributes already parsed and checked, and called on every run.
typealias Kernel = @Sendable (_ inputs: KernelInputs, _ context: ExecutionContext) throws -> [NDArray]

/// Computes one node's outputs from values of any kind: the kernels of the operators that take or
/// return sequences and optionals, and of the control flow that carries them.
typealias ValueKernel = @Sendable (_ inputs: ValueInputs, _ context: ExecutionContext) throws -> [EngineValue]

/// A node's kernel as a plan runs it: tensor kernels see tensors only, so the image path never
/// looks at containers.
enum StepKernel: Sendable {
    case tensors(Kernel)
    case values(ValueKernel)
}

/// Builds the kernel for one node, or throws ``ReferenceEngineError/invalidNode(node:reason:)``.
typealias KernelFactory = @Sendable (_ node: NodeContext) throws(ReferenceEngineError) -> Kernel

/// Builds the value kernel for one node.
typealias ValueKernelFactory = @Sendable (_ node: NodeContext) throws(ReferenceEngineError) -> ValueKernel
