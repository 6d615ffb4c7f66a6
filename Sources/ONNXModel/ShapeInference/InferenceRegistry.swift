/// How one operator's outputs are typed, and optionally how its value is propagated.
struct OperatorRule: Sendable {
    typealias Infer = @Sendable (inout InferenceContext) throws -> [ValueType?]
    typealias Propagate = @Sendable (InferenceContext) throws -> SymbolicValue?

    let infer: Infer
    let propagate: Propagate?

    init(_ infer: @escaping Infer, propagate: Propagate? = nil) {
        self.infer = infer
        self.propagate = propagate
    }
}

/// Every operator of the default domain that shape inference covers, in one place.
///
/// Rules read the opset from their context, so one entry serves every version of an operator.
enum InferenceRegistry {
    static let rules: [String: OperatorRule] = {
        var rules: [String: OperatorRule] = [:]
        func add(_ names: [String], _ rule: OperatorRule) {
            for name in names { rules[name] = rule }
        }

        // Element-wise, one input, same type and shape.
        add(
            [
                "Abs", "Acos", "Acosh", "Asin", "Asinh", "Atan", "Atanh", "BitwiseNot", "Ceil", "Celu", "Clip", "Cos",
                "Cosh", "CumProd", "CumSum", "Elu", "Erf", "Exp", "Floor", "Gelu", "HardSigmoid", "HardSwish", "InstanceNormalization",
                "LeakyRelu", "Log", "LpNormalization", "LRN", "MeanVarianceNormalization", "Mish", "Not",
                "Reciprocal", "Relu", "ReverseSequence", "RotaryEmbedding", "Round", "RMSNormalization", "Selu", "Shrink", "Sigmoid", "Sign",
                "Sin", "Sinh", "Softplus", "Softsign", "Sqrt", "Swish", "Tan", "Tanh", "ThresholdedRelu", "Trilu",
            ], OperatorRule(ElementwiseOps.unary))
        add(["Neg"], OperatorRule(ElementwiseOps.unary, propagate: DataPropagation.negate))
        add(["Softmax", "LogSoftmax", "Hardmax"], OperatorRule(ElementwiseOps.softmax))
        add(["IsNaN", "IsInf", "RegexFullMatch"], OperatorRule(ElementwiseOps.predicate))
        add(["Identity"], OperatorRule(ShapeOps.identity, propagate: DataPropagation.identity))
        add(["Cast"], OperatorRule(ElementwiseOps.cast, propagate: DataPropagation.cast))
        add(["CastLike"], OperatorRule(ElementwiseOps.castLike, propagate: DataPropagation.cast))
        add(["Dropout"], OperatorRule(ElementwiseOps.dropout))
        add(["Bernoulli", "RandomUniformLike", "RandomNormalLike", "EyeLike"], OperatorRule(ElementwiseOps.like))
        add(["PRelu"], OperatorRule(ElementwiseOps.prelu))

        // Broadcasting.
        add(["Add", "Sub", "Mul", "Div"], OperatorRule(ElementwiseOps.arithmetic, propagate: DataPropagation.arithmetic))
        add(
            ["Pow", "Mod", "BitShift", "BitwiseAnd", "BitwiseOr", "BitwiseXor", "StringConcat"],
            OperatorRule(ElementwiseOps.arithmetic))
        add(
            ["Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual", "And", "Or", "Xor"],
            OperatorRule(ElementwiseOps.comparison))
        add(["Sum", "Mean", "Max", "Min"], OperatorRule(ElementwiseOps.variadic))
        add(["Where"], OperatorRule(ElementwiseOps.where))

        // Quantization.
        add(["QuantizeLinear"], OperatorRule(ElementwiseOps.quantize))
        add(["DequantizeLinear"], OperatorRule(ElementwiseOps.dequantize))
        add(["DynamicQuantizeLinear"], OperatorRule(ElementwiseOps.dynamicQuantize))

        // Convolution and pooling.
        add(["Conv"], OperatorRule(ConvolutionOps.conv))
        add(["ConvInteger"], OperatorRule(ConvolutionOps.convInteger))
        add(["QLinearConv"], OperatorRule(ConvolutionOps.qlinearConv))
        add(["DeformConv"], OperatorRule(ConvolutionOps.deformConv))
        add(["ConvTranspose"], OperatorRule(ConvolutionOps.convTranspose))
        add(["DepthToSpace"], OperatorRule(ConvolutionOps.depthToSpace))
        add(["SpaceToDepth"], OperatorRule(ConvolutionOps.spaceToDepth))
        add(["MaxPool", "AveragePool", "LpPool"], OperatorRule(PoolingOps.pool))
        add(["GlobalAveragePool", "GlobalMaxPool", "GlobalLpPool"], OperatorRule(PoolingOps.globalPool))
        add(["MaxUnpool"], OperatorRule(PoolingOps.maxUnpool))
        add(["RoiAlign"], OperatorRule(PoolingOps.roiAlign))
        add(["MaxRoiPool"], OperatorRule(PoolingOps.maxRoiPool))

        // Normalization.
        add(["BatchNormalization"], OperatorRule(NormalizationOps.batchNormalization))
        add(["LayerNormalization"], OperatorRule(NormalizationOps.layerNormalization))
        add(["GroupNormalization"], OperatorRule(NormalizationOps.groupNormalization))

        // Matrix products.
        add(["MatMul"], OperatorRule(MatMulOps.matMul))
        add(["MatMulInteger"], OperatorRule(MatMulOps.matMulInteger))
        add(["QLinearMatMul"], OperatorRule(MatMulOps.qlinearMatMul))
        add(["Gemm"], OperatorRule(MatMulOps.gemm))
        add(["Einsum"], OperatorRule(MatMulOps.einsum))
        add(["Det"], OperatorRule(MatMulOps.det))

        // Shape manipulation.
        add(["Reshape"], OperatorRule(ShapeOps.reshape, propagate: DataPropagation.reshape))
        add(["Flatten"], OperatorRule(ShapeOps.flatten))
        add(["Transpose"], OperatorRule(ShapeOps.transpose))
        add(["Squeeze"], OperatorRule(ShapeOps.squeeze, propagate: DataPropagation.squeeze))
        add(["Unsqueeze"], OperatorRule(ShapeOps.unsqueeze, propagate: DataPropagation.unsqueeze))
        add(["Expand"], OperatorRule(ShapeOps.expand))
        add(["Tile"], OperatorRule(ShapeOps.tile))
        add(["Shape"], OperatorRule(ShapeOps.shape, propagate: DataPropagation.shape))
        add(["Size"], OperatorRule(ShapeOps.size, propagate: DataPropagation.size))
        add(["Concat"], OperatorRule(SlicingOps.concat, propagate: DataPropagation.concat))
        add(["Split"], OperatorRule(SlicingOps.split))
        add(["Slice"], OperatorRule(SlicingOps.slice, propagate: DataPropagation.slice))
        add(["Pad"], OperatorRule(SlicingOps.pad))
        add(["CenterCropPad"], OperatorRule(SlicingOps.centerCropPad))

        // Indexing.
        add(["Gather"], OperatorRule(IndexingOps.gather, propagate: DataPropagation.gather))
        add(["GatherElements"], OperatorRule(IndexingOps.gatherElements))
        add(["GatherND"], OperatorRule(IndexingOps.gatherND))
        add(["Scatter", "ScatterElements", "ScatterND"], OperatorRule(IndexingOps.scatter))
        add(["OneHot"], OperatorRule(IndexingOps.oneHot))
        add(["NonZero"], OperatorRule(IndexingOps.nonZero))
        add(["NonMaxSuppression"], OperatorRule(IndexingOps.nonMaxSuppression))
        add(["Compress"], OperatorRule(IndexingOps.compress))
        add(["Unique"], OperatorRule(IndexingOps.unique))

        // Reductions and losses.
        add(
            [
                "ReduceL1", "ReduceL2", "ReduceLogSum", "ReduceLogSumExp", "ReduceMax", "ReduceMean", "ReduceMin",
                "ReduceProd", "ReduceSum", "ReduceSumSquare",
            ], OperatorRule(ReductionOps.reduce))
        add(["ArgMax", "ArgMin"], OperatorRule(ReductionOps.argReduce))
        add(["TopK"], OperatorRule(ReductionOps.topK))
        add(["NegativeLogLikelihoodLoss"], OperatorRule(ReductionOps.negativeLogLikelihood))
        add(["SoftmaxCrossEntropyLoss"], OperatorRule(ReductionOps.softmaxCrossEntropy))

        // Resampling.
        add(["Resize"], OperatorRule(ResizeOps.resize))
        add(["Upsample"], OperatorRule(ResizeOps.upsample))
        add(["GridSample"], OperatorRule(ResizeOps.gridSample))
        add(["AffineGrid"], OperatorRule(ResizeOps.affineGrid))

        // Generators.
        add(["Constant"], OperatorRule(GeneratorOps.constant))
        add(["ConstantOfShape"], OperatorRule(GeneratorOps.constantOfShape, propagate: DataPropagation.constantOfShape))
        add(["Range"], OperatorRule(GeneratorOps.range, propagate: DataPropagation.range))
        add(["RandomUniform", "RandomNormal"], OperatorRule(GeneratorOps.random))
        add(["Multinomial"], OperatorRule(GeneratorOps.multinomial))

        // Recurrent layers.
        add(["RNN", "GRU", "LSTM"], OperatorRule(RecurrentOps.recurrent))

        // Signal processing and text.
        add(["BlackmanWindow", "HannWindow", "HammingWindow"], OperatorRule(SignalOps.window))
        add(["MelWeightMatrix"], OperatorRule(SignalOps.melWeightMatrix))
        add(["DFT"], OperatorRule(SignalOps.dft))
        add(["STFT"], OperatorRule(SignalOps.stft))
        add(["StringNormalizer"], OperatorRule(SignalOps.stringNormalizer))
        add(["TfIdfVectorizer"], OperatorRule(SignalOps.tfIdfVectorizer))

        // Sequences and optionals.
        add(["SequenceEmpty"], OperatorRule(SequenceOps.sequenceEmpty))
        add(["SequenceConstruct"], OperatorRule(SequenceOps.sequenceConstruct))
        add(["SequenceInsert"], OperatorRule(SequenceOps.sequenceInsert))
        add(["SequenceAt"], OperatorRule(SequenceOps.sequenceAt))
        add(["SequenceErase"], OperatorRule(ElementwiseOps.unary))
        add(["SequenceLength"], OperatorRule(SequenceOps.sequenceLength))
        add(["SplitToSequence"], OperatorRule(SequenceOps.splitToSequence))
        add(["ConcatFromSequence"], OperatorRule(SequenceOps.concatFromSequence))
        add(["Optional"], OperatorRule(SequenceOps.optional))
        add(["OptionalHasElement"], OperatorRule(SequenceOps.optionalHasElement))
        add(["OptionalGetElement"], OperatorRule(SequenceOps.optionalGetElement))

        // Control flow: bodies are inferred as nested scopes.
        add(["If"], OperatorRule(ControlFlowOps.if))
        add(["Loop"], OperatorRule(ControlFlowOps.loop))
        add(["Scan"], OperatorRule(ControlFlowOps.scan))
        add(["SequenceMap"], OperatorRule(ControlFlowOps.sequenceMap))
        return rules
    }()

    /// Operators of the `ai.onnx.preview.training` domain.
    static let trainingRules: [String: OperatorRule] = [
        "Adagrad": OperatorRule(TrainingOps.optimizer),
        "Adam": OperatorRule(TrainingOps.optimizer),
        "Momentum": OperatorRule(TrainingOps.optimizer),
    ]

    /// The rule for `opType` in `domain`, if covered.
    static func rule(for opType: String, domain: String) -> OperatorRule? {
        switch OpsetImport.canonicalDomain(domain) {
        case "": rules[opType]
        case "ai.onnx.preview.training": trainingRules[opType]
        default: nil
        }
    }
}
