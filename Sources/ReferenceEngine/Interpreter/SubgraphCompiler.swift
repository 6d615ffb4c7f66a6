import ONNXModel

/// What compiling a subgraph needs from the model it belongs to: its opsets (through the model),
/// the kernels, the operator schemas, and which convolution kernels the plan may choose.
struct SubgraphCompiler: Sendable {
    let model: Model
    let registry: OperatorRegistry
    let schemas: OperatorSchemas
    /// The ``WinogradConv`` output tile 3×3 convolutions may take; `nil` keeps the direct kernel.
    var winogradTile = WinogradConv.defaultTile
}
