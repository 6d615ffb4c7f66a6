/// The inputs a kernel receives, in the node's order; omitted optional inputs are `nil`.
struct KernelInputs {
    let values: [NDArray?]

    var count: Int { values.count }

    /// Input `index`, which must be present.
    func at(_ index: Int) throws(KernelError) -> NDArray {
        guard index < values.count, let value = values[index] else { throw .missingInput(index) }
        return value
    }

    /// Input `index` if given.
    func optional(_ index: Int) -> NDArray? { index < values.count ? values[index] : nil }
}

/// Computes one node's outputs from its inputs. Created once per node at load, with the node's
/// attributes already parsed and checked, and called on every run.
typealias Kernel = @Sendable (_ inputs: KernelInputs, _ context: ExecutionContext) throws -> [NDArray]

/// Builds the kernel for one node, or throws ``ReferenceEngineError/invalidNode(node:reason:)``.
typealias KernelFactory = @Sendable (_ node: NodeContext) throws(ReferenceEngineError) -> Kernel
