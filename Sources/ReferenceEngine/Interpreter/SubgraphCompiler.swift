import ONNXModel

/// What compiling a subgraph needs from the model it belongs to: its opsets (through the model),
/// the kernels and the operator schemas.
struct SubgraphCompiler: Sendable {
    let model: Model
    let registry: OperatorRegistry
    let schemas: OperatorSchemas
}
