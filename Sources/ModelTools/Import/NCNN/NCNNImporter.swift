public import Foundation
public import ONNXModel
import TensorCore

/// Choices for ``NCNNImporter``.
public struct NCNNImportOptions: Sendable {
    /// The ONNX opset the graph is written against (13 to 21).
    public var opset: Int
    /// Store weights as float16 initializers, each widened by a `Cast` node, so the file is half as
    /// large; arithmetic stays float32. Blobs the `.bin` stores as float16 (convolution weights in
    /// the Real-ESRGAN models) lose nothing; float32 blobs (biases, PReLU slopes) are rounded.
    public var float16Weights: Bool
    /// Whether to append the input upscaled by nearest neighbour to a network that outputs a
    /// residual (``NCNNResidualMode``).
    public var residual: NCNNResidualMode

    public init(opset: Int = 17, float16Weights: Bool = false, residual: NCNNResidualMode = .auto) {
        self.opset = opset
        self.float16Weights = float16Weights
        self.residual = residual
    }

    /// The opsets the importer can emit: every operator it writes is valid from 13 on.
    public static let supportedOpsets = 13...21
}

/// Converts an ncnn model (`.param` text and `.bin` weights) into the ONNX IR.
///
/// ```swift
/// let imported = try NCNNImporter.importModel(param: paramURL, weights: binURL)
/// try imported.model.write(to: URL(fileURLWithPath: "x4.onnx"))
/// ```
public enum NCNNImporter {
    /// The result of an import: the model and what the manifest needs to know about it.
    public struct Result: Sendable {
        public var model: Model
        /// The graph input and output names.
        public var inputName: String
        public var outputName: String
        /// Output size ÷ input size, when the graph scales height and width alike by a constant.
        public var scale: Double?
        /// The measured scale, the border the network consumes and the input alignment it needs;
        /// `nil` when the output is not an image growing with the input (a classifier).
        public var geometry: NCNNGeometry?
        /// Whether the graph ends by adding the cropped input, upscaled by nearest neighbour, to
        /// the network's residual output.
        public var addsNearestResidual: Bool
    }

    /// Parses both files and builds the ONNX model. Nothing is written.
    public static func importModel(
        param: URL, weights: URL, options: NCNNImportOptions = NCNNImportOptions()
    ) throws(NCNNImportError) -> Result {
        guard NCNNImportOptions.supportedOpsets.contains(options.opset) else { throw .unsupportedOpset(options.opset) }
        let paramFile = try NCNNParamFile(contentsOf: param)
        var builder = NCNNGraphBuilder(
            paramPath: param.path, opset: options.opset, float16Weights: options.float16Weights,
            weights: try NCNNWeightReader(contentsOf: weights))
        for layer in paramFile.layers { try builder.add(layer) }
        try builder.weights.finish()
        return try finish(
            builder, paramPath: param.path, name: param.deletingPathExtension().lastPathComponent, residual: options.residual)
    }

    private static func finish(
        _ builder: NCNNGraphBuilder, paramPath: String, name: String, residual: NCNNResidualMode
    ) throws(NCNNImportError) -> Result {
        guard let input = builder.inputs.first, builder.inputs.count == 1 else {
            throw .malformedParam(path: paramPath, line: 1, reason: "the importer needs exactly one Input layer, found \(builder.inputs.count)")
        }
        let outputs = builder.produced.filter { !builder.consumed.contains($0) && !builder.inputs.map(\.name).contains($0) }
        guard let output = outputs.first, outputs.count == 1 else {
            throw .malformedParam(
                path: paramPath, line: 1, reason: "the importer needs exactly one output blob, found \(outputs.count): \(outputs.prefix(5))")
        }
        let inputDims: [Dim] = [.symbol("N"), input.channels.map(Dim.value) ?? .symbol("C"), .symbol("H"), .symbol("W")]
        let graph = Graph(
            name: name, nodes: builder.nodes, initializers: builder.initializers,
            inputs: [ValueInfo(name: input.name, type: .tensor(.float32, inputDims))],
            outputs: [ValueInfo(name: output, type: .tensor(.float32, nil))])
        var model = Model(graph: graph, opsetImports: [OpsetImport(domain: "", version: Int64(builder.opset))], irVersion: 8)
        model.producerName = "tessera import"
        // Shape inference gives the output its symbolic shape (4*H, …) where it can.
        if let inferred = try? model.inferTypes(), let type = inferred.values[output] {
            model.graph.outputs[0] = ValueInfo(name: output, type: type)
        }
        func check(_ model: Model) throws(NCNNImportError) -> NCNNImportCheck.Measurement? {
            try NCNNImportCheck.check(
                model, input: input.name, output: output, declaredChannels: input.channels, expected: builder.shape(of: output),
                paramPath: paramPath, layerOfNode: builder.layerOfNode)
        }
        let network = try check(model)
        let geometry = network?.geometry
        let addsResidual = try addsNearestResidual(residual, measured: network, paramPath: paramPath)
        if addsResidual, let geometry {
            model.appendNearestResidual(input: input.name, output: output, geometry: geometry)
            model.graph.outputs[0] = ValueInfo(name: output, type: (try? model.inferTypes())?.values[output] ?? .tensor(.float32, nil))
            // The appended part must leave the measured scale and border as they were: the
            // manifest describes the model as written.
            let appended = try check(model)?.geometry
            guard appended == geometry else {
                throw .invalidGraph(
                    path: paramPath, layer: nil,
                    reason: "adding the nearest-neighbour input changes the measured geometry from \(geometry) to \(appended.map { "\($0)" } ?? "none")")
            }
        }
        // Shape inference cannot carry a symbol through Resize's float scales (it leaves "?"); where
        // the measurement proves the output is k·H × k·W, say so in the file.
        if let geometry, geometry.border == 0, let current = model.graph.outputs[0].type?.tensorType?.dims,
            current.count == 4, current[2].isUnknown || current[3].isUnknown,
            let height = try? Dim.symbol("H").multiplied(by: geometry.scale),
            let width = try? Dim.symbol("W").multiplied(by: geometry.scale)
        {
            let channels = builder.shape(of: output).outer.map(Dim.value) ?? current[1]
            model.graph.outputs[0] = ValueInfo(name: output, type: .tensor(.float32, [.symbol("N"), channels, height, width]))
        }
        return Result(
            model: model, inputName: input.name, outputName: output, scale: geometry.map { Double($0.scale) }, geometry: geometry,
            addsNearestResidual: addsResidual)
    }

    /// Whether to append the nearest-neighbour input: measured for `.auto`, where only an upscaler
    /// (scale above 1) whose output stays near 0 on mid-grey counts as residual.
    private static func addsNearestResidual(
        _ mode: NCNNResidualMode, measured: NCNNImportCheck.Measurement?, paramPath: String
    ) throws(NCNNImportError) -> Bool {
        switch mode {
        case .none:
            return false
        case .auto:
            guard let measured else { return false }
            return measured.geometry.scale > 1 && measured.levels.looksResidual
        case .nearest:
            guard let measured else {
                throw .unsupportedResidual(path: paramPath, reason: "the output is not an image growing with the input")
            }
            guard measured.levels.inputChannels == measured.levels.outputChannels else {
                throw .unsupportedResidual(
                    path: paramPath,
                    reason: "the output has \(measured.levels.outputChannels) channels, the input \(measured.levels.inputChannels)")
            }
            return true
        }
    }
}

extension NCNNGraphBuilder {
    /// Converts one layer, or refuses its type naming the layer and line.
    mutating func add(_ layer: NCNNLayer) throws(NCNNImportError) {
        let outputShapes = try outputShapes(of: layer)
        try convert(layer)
        for (blob, shape) in zip(layer.outputs, outputShapes) { setShape(shape, of: blob) }
    }

    private mutating func convert(_ layer: NCNNLayer) throws(NCNNImportError) {
        switch layer.type {
        case "Input": try input(layer)
        case "Split", "Noop": try split(layer)
        case "Convolution": try convolution(layer, depthwise: false)
        case "ConvolutionDepthWise": try convolution(layer, depthwise: true)
        case "Deconvolution": try deconvolution(layer, depthwise: false)
        case "DeconvolutionDepthWise": try deconvolution(layer, depthwise: true)
        case "InnerProduct": try innerProduct(layer)
        case "ReLU": try relu(layer)
        case "PReLU": try prelu(layer)
        case "Sigmoid": try unary(layer, "Sigmoid")
        case "TanH": try unary(layer, "Tanh")
        case "AbsVal": try unary(layer, "Abs")
        case "Clip": try clipLayer(layer)
        case "HardSigmoid": try hardSigmoid(layer)
        case "Mish": try mishLayer(layer)
        case "Swish": try swish(layer)
        case "Dropout": try dropout(layer)
        case "UnaryOp": try unaryOp(layer)
        case "Exp", "Log", "Power": try exponential(layer)
        case "GELU": try gelu(layer)
        case "HardSwish": try hardSwish(layer)
        case "ELU", "SELU", "CELU", "Shrink": try parametricActivation(layer)
        case "Softplus", "BNLL": try unary(layer, "Softplus")
        case "Erf": try unary(layer, "Erf")
        case "DeepCopy": try unary(layer, "Identity")
        case "Threshold": try threshold(layer)
        case "Bias": try bias(layer)
        case "InstanceNorm": try instanceNorm(layer)
        case "GroupNorm": try groupNorm(layer)
        case "LayerNorm", "RMSNorm": try layerNorm(layer)
        case "Normalize": try normalizeLayer(layer)
        case "ShuffleChannel": try shuffleChannel(layer)
        case "Squeeze": try squeeze(layer)
        case "ExpandDims": try expandDims(layer)
        case "Flip": try flip(layer)
        case "Tile": try tile(layer)
        case "Reduction": try reduction(layer)
        case "MatMul": try matMul(layer)
        case "Gemm": try gemm(layer)
        case "Unfold": try unfold(layer)
        case "BinaryOp": try binaryOp(layer)
        case "Eltwise": try eltwise(layer)
        case "PixelShuffle": try pixelShuffle(layer)
        case "Interp": try interp(layer)
        case "Concat": try concat(layer)
        case "Padding": try padding(layer)
        case "Pooling": try pooling(layer)
        case "Reshape": try reshape(layer)
        case "Flatten": try flatten(layer)
        case "Permute": try permute(layer)
        case "Softmax": try softmax(layer)
        case "BatchNorm": try batchNorm(layer)
        case "Scale": try scale(layer)
        case "Crop": try crop(layer)
        case "Slice": try slice(layer)
        case "MemoryData": try memoryData(layer)
        default:
            throw .unsupportedLayer(path: paramPath, line: layer.line, type: layer.type, name: layer.name)
        }
    }

    /// Dropout at inference is a copy, scaled when `0=scale` is not 1.
    mutating func dropout(_ layer: NCNNLayer) throws(NCNNImportError) {
        try expect(layer, inputs: 1...1)
        let scale = try float(layer, 0, 1)
        if scale == 1 {
            alias(layer.outputs[0], to: value(layer.inputs[0]))
        } else {
            let factor = floats("\(layer.name).scale", shape: [], [scale])
            emit("Mul", name: layer.name, inputs: [value(layer.inputs[0]), factor], outputs: [layer.outputs[0]])
        }
    }
}
