public import ONNXModel

/// Which nodes are quantized and which activations get a QuantizeLinear/DequantizeLinear pair,
/// decided from the graph and the options before anything runs.
///
/// Conv, MatMul and Gemm are quantized as ONNX Runtime's QDQ quantizer does: their float input
/// and output pass through Q/DQ pairs and their weights are stored as 8-bit integers, so ONNX
/// Runtime fuses each into an integer kernel. Operators ONNX Runtime has no int8 kernel for, or
/// that only move data (PRelu, DepthToSpace, Resize, Add, …), stay float32 between pairs. Any
/// other operator must be excluded explicitly, so a model is never quantized in a way nobody
/// checked.
public struct QuantizationPlan: Sendable {
    /// One quantized node.
    public struct Target: Sendable {
        public var index: Int
        /// Input position of the constant weight, when it is an initializer.
        public var weight: Int?
        /// Axis of the weight that holds output channels, for per-channel scales.
        public var channelAxis: Int
        /// Input position of a bias that becomes int32.
        public var bias: Int?
    }

    public var targets: [Target]
    /// Activation tensors that get a Q/DQ pair, in graph order.
    public var activations: [String]

    /// Operators that keep float32 arithmetic between Q/DQ pairs.
    static let keptFloat: Set<String> = [
        "Abs", "Add", "AveragePool", "BatchNormalization", "Cast", "Clip", "Concat", "Constant", "DepthToSpace", "Div",
        "Dropout", "Elu", "Erf", "Exp", "Expand", "Flatten", "Gather", "GlobalAveragePool", "GlobalMaxPool",
        "HardSigmoid", "HardSwish", "Identity", "InstanceNormalization", "LayerNormalization", "LeakyRelu", "Log",
        "LRN", "MaxPool", "Mul", "Neg", "Pad", "Pow", "PRelu", "ReduceMean", "Relu", "Reshape", "Resize", "Shape",
        "Sigmoid", "Slice", "Softmax", "SpaceToDepth", "Split", "Sqrt", "Squeeze", "Sub", "Sum", "Tanh", "Transpose",
        "Unsqueeze", "Upsample",
    ]

    /// Plans the quantization of `model`.
    /// - Throws: ``QuantizeError`` for an operator that is neither quantizable, known to stay
    ///   float, nor excluded; a float16 weight; or a model with nothing to quantize.
    public init(model: Model, options: QuantizationOptions) throws(QuantizeError) {
        try self.init(model: model, options: options, keepingFloat: [])
    }

    /// Plans as above with the nodes at `keepingFloat` (graph indices) left float32 as if
    /// excluded: the quality-floor search keeps sensitive layers float this way, named or not.
    init(model: Model, options: QuantizationOptions, keepingFloat: Set<Int>) throws(QuantizeError) {
        let graph = model.graph
        let initializers = graph.initializersByName
        var consumed = Set<String>()
        for node in graph.nodes { consumed.formUnion(node.inputs) }
        var targets: [Target] = []
        var activations: [String] = []
        var listed = Set<String>()
        func add(_ name: String) {
            if !name.isEmpty, initializers[name] == nil, listed.insert(name).inserted { activations.append(name) }
        }
        for (index, node) in graph.nodes.enumerated() {
            if keepingFloat.contains(index) || options.excluded.contains(node.opType)
                || (!node.name.isEmpty && options.excluded.contains(node.name))
            { continue }
            guard node.domain.isEmpty || node.domain == "ai.onnx" else {
                throw .unsupportedOperator(node: node.label(index: index), opType: node.opType, domain: node.domain)
            }
            guard let target = try Self.target(node, index: index, initializers: initializers) else {
                guard Self.keptFloat.contains(node.opType) else {
                    throw .unsupportedOperator(node: node.label(index: index), opType: node.opType, domain: "")
                }
                continue
            }
            targets.append(target)
            for (position, input) in node.inputs.enumerated() where position < 2 && position != target.weight { add(input) }
            // The output's pair lets ONNX Runtime fuse DQ → op → Q into one integer kernel.
            if let output = node.outputs.first, consumed.contains(output) { add(output) }
        }
        guard !targets.isEmpty else {
            throw .nothingToQuantize(reason: "the model has no Conv, MatMul or Gemm node that is not excluded")
        }
        self.targets = targets
        self.activations = activations
    }

    /// The quantization of `node`, or `nil` when its operator is not one the quantizer rewrites.
    private static func target(_ node: Node, index: Int, initializers: [String: StoredTensor]) throws(QuantizeError)
        -> Target?
    {
        let weightAxis: Int
        switch node.opType {
        case "Conv": weightAxis = 0
        case "Gemm":
            // B is K×N, or N×K with transB: output channels are N.
            weightAxis = node.int("transB", default: 0) != 0 ? 0 : 1
        case "MatMul": weightAxis = 1
        default: return nil
        }
        guard node.inputs.count >= 2 else { return nil }
        for name in node.inputs.prefix(3) where !name.isEmpty {
            if let constant = initializers[name], constant.tensor.dataType != .float32 {
                throw .notFloat32(node: node.label(index: index), tensor: name, type: constant.tensor.dataType.onnxName)
            }
        }
        let weight = initializers[node.inputs[1]]
        let hasWeight = weight != nil && (node.opType != "MatMul" || weight?.tensor.shape.count == 2)
        let bias = node.inputs.count > 2 && node.opType != "MatMul" && initializers[node.inputs[2]]?.tensor.shape.count == 1 ? 2 : nil
        return Target(index: index, weight: hasWeight ? 1 : nil, channelAxis: weightAxis, bias: hasWeight ? bias : nil)
    }
}
