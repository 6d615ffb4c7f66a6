import Foundation
import ONNXModel
import TensorCore

/// Rewrites a float model into QDQ form from a plan and calibrated ranges: a
/// QuantizeLinear/DequantizeLinear pair after each planned activation, integer weights with a
/// DequantizeLinear each, and int32 biases whose scale is input scale × weight scale (so
/// ONNX Runtime can fold them into its integer kernels).
struct QDQRewriter {
    let options: QuantizationOptions
    let ranges: [String: ClosedRange<Float>]

    /// The parameters of each activation.
    func activationParameters(_ names: [String]) -> [String: QuantizationParameters] {
        let symmetric = options.symmetricActivations
        let range = QuantizationParameters.integerRange(options.activations, symmetric: symmetric, reduceRange: false)
        var parameters: [String: QuantizationParameters] = [:]
        for name in names {
            let seen = ranges[name] ?? 0...0
            parameters[name] = QuantizationParameters(
                lower: seen.lowerBound, upper: seen.upperBound, range: range, symmetric: symmetric)
        }
        return parameters
    }

    func rewrite(_ model: Model, plan: QuantizationPlan) throws(QuantizeError) -> Model {
        var graph = model.graph
        let activations = activationParameters(plan.activations)
        var names = UniqueNames(graph: graph)
        let initializers = graph.initializersByName
        var added: [StoredTensor] = []
        var before: [Int: [Node]] = [:]
        var dequantized: [String: String] = [:]
        var pairs: [String: [Node]] = [:]
        for name in plan.activations {
            guard let parameters = activations[name] else { continue }
            let (nodes, tensors, output) = try pair(for: name, parameters: parameters, names: &names)
            pairs[name] = nodes
            added += tensors
            dequantized[name] = output
        }
        var weightOutputs: [String: (name: String, scales: [Float])] = [:]
        for target in plan.targets {
            let node = graph.nodes[target.index]
            var prefix: [Node] = []
            if let position = target.weight, let weight = initializers[node.inputs[position]] {
                if weightOutputs[weight.name] == nil {
                    let (dq, tensors, output, scales) = try quantizedWeight(weight, axis: target.channelAxis, names: &names)
                    prefix.append(dq)
                    added += tensors
                    weightOutputs[weight.name] = (output, scales)
                }
                if let position = target.bias, let bias = initializers[node.inputs[position]],
                    let inputScale = activations[node.inputs[0]]?.scale, let weightScales = weightOutputs[weight.name]?.scales,
                    weightScales.count == 1 || weightScales.count == bias.tensor.elementCount
                {
                    let (dq, tensors, output) = try quantizedBias(
                        bias, scales: weightScales.map { $0 * inputScale }, names: &names)
                    prefix.append(dq)
                    added += tensors
                    graph.nodes[target.index].inputs[position] = output
                }
                graph.nodes[target.index].inputs[position] = weightOutputs[weight.name]?.name ?? weight.name
            }
            before[target.index, default: []] += prefix
        }
        // Every reader of a paired activation reads the dequantized value, as ONNX Runtime's QDQ
        // models do, so each integer kernel's output has the Q node as its only consumer.
        var nodes: [Node] = graph.inputs.flatMap { pairs[$0.name] ?? [] }
        for (index, var node) in graph.nodes.enumerated() {
            node.inputs = node.inputs.map { dequantized[$0] ?? $0 }
            nodes += before[index] ?? []
            nodes.append(node)
            for output in node.outputs { nodes += pairs[output] ?? [] }
        }
        graph.nodes = nodes
        graph.initializers += added
        var used = Set(graph.outputs.map(\.name))
        for node in graph.nodes { used.formUnion(node.inputs) }
        graph.initializers.removeAll { !used.contains($0.name) }
        graph.inputs.removeAll { initializers[$0.name] != nil && !used.contains($0.name) }
        var result = model
        result.graph = graph
        return result
    }

    /// `name → QuantizeLinear → DequantizeLinear`, returning the nodes, their constants and the
    /// dequantized value's name.
    private func pair(
        for name: String, parameters: QuantizationParameters, names: inout UniqueNames
    ) throws(QuantizeError) -> ([Node], [StoredTensor], String) {
        let scale = names.fresh("\(name)_scale")
        let zero = names.fresh("\(name)_zero_point")
        let quantized = names.fresh("\(name)_quantized")
        let output = names.fresh("\(name)_dequantized")
        let tensors = [
            try Self.stored(scale, shape: [], floats: [parameters.scale]),
            try Self.stored(zero, shape: [], integers: [parameters.zeroPoint], type: options.activations.dataType),
        ]
        let nodes = [
            Node(name: names.fresh("\(name)_QuantizeLinear"), opType: "QuantizeLinear", inputs: [name, scale, zero], outputs: [quantized]),
            Node(name: names.fresh("\(name)_DequantizeLinear"), opType: "DequantizeLinear", inputs: [quantized, scale, zero], outputs: [output]),
        ]
        return (nodes, tensors, output)
    }

    /// The weight as 8-bit integers with one scale per output channel (or one in all) and the
    /// DequantizeLinear that restores it.
    private func quantizedWeight(
        _ weight: StoredTensor, axis: Int, names: inout UniqueNames
    ) throws(QuantizeError) -> (Node, [StoredTensor], String, [Float]) {
        let values = try Self.floats(weight)
        let shape = weight.tensor.shape
        let perChannel = options.perChannel && axis < shape.count
        let channels = perChannel ? shape[axis] : 1
        let inner = perChannel ? shape[(axis + 1)...].reduce(1, *) : values.count
        let symmetric = options.weights == .s8
        let range = QuantizationParameters.integerRange(options.weights, symmetric: symmetric, reduceRange: options.reduceRange)
        let channelOf: (Int) -> Int = { perChannel ? ($0 / inner) % channels : 0 }
        var lows = [Float](repeating: 0, count: channels)
        var highs = [Float](repeating: 0, count: channels)
        for (i, value) in values.enumerated() {
            let c = channelOf(i)
            lows[c] = min(lows[c], value)
            highs[c] = max(highs[c], value)
        }
        let parameters = (0..<channels).map {
            QuantizationParameters(lower: lows[$0], upper: highs[$0], range: range, symmetric: symmetric)
        }
        let integers = values.enumerated().map { i, value in parameters[channelOf(i)].quantize(value, range: range) }
        let quantized = names.fresh("\(weight.name)_quantized")
        let scale = names.fresh("\(weight.name)_scale")
        let zero = names.fresh("\(weight.name)_zero_point")
        let output = names.fresh("\(weight.name)_dequantized")
        let parameterShape = perChannel ? [channels] : []
        let tensors = [
            try Self.stored(quantized, shape: shape, integers: integers, type: options.weights.dataType),
            try Self.stored(scale, shape: parameterShape, floats: parameters.map(\.scale)),
            try Self.stored(zero, shape: parameterShape, integers: parameters.map(\.zeroPoint), type: options.weights.dataType),
        ]
        var node = Node(
            name: names.fresh("\(weight.name)_DequantizeLinear"), opType: "DequantizeLinear", inputs: [quantized, scale, zero],
            outputs: [output])
        if perChannel { node.attributes = [Attribute(name: "axis", value: .int(Int64(axis)))] }
        return (node, tensors, output, parameters.map(\.scale))
    }

    /// The bias as int32 at scale input × weight scale, zero point 0.
    private func quantizedBias(
        _ bias: StoredTensor, scales: [Float], names: inout UniqueNames
    ) throws(QuantizeError) -> (Node, [StoredTensor], String) {
        let values = try Self.floats(bias)
        let integers = values.enumerated().map { i, value in
            let scale = scales[scales.count == 1 ? 0 : i]
            guard scale > 0 else { return 0 }
            return Int(min(max((Double(value) / Double(scale)).rounded(.toNearestOrEven), -2_147_483_648), 2_147_483_647))
        }
        let quantized = names.fresh("\(bias.name)_quantized")
        let scale = names.fresh("\(bias.name)_scale")
        let zero = names.fresh("\(bias.name)_zero_point")
        let output = names.fresh("\(bias.name)_dequantized")
        let parameterShape = scales.count == 1 ? [] : [scales.count]
        let tensors = [
            try Self.stored(quantized, shape: bias.tensor.shape, integers: integers, type: .int32),
            try Self.stored(scale, shape: parameterShape, floats: scales),
            try Self.stored(zero, shape: parameterShape, integers: [Int](repeating: 0, count: scales.count), type: .int32),
        ]
        var node = Node(
            name: names.fresh("\(bias.name)_DequantizeLinear"), opType: "DequantizeLinear", inputs: [quantized, scale, zero],
            outputs: [output])
        if scales.count > 1 { node.attributes = [Attribute(name: "axis", value: .int(0))] }
        return (node, tensors, output)
    }

    private static func floats(_ stored: StoredTensor) throws(QuantizeError) -> [Float] {
        do { return try stored.tensor.scalars(as: Float.self) } catch {
            throw .notFloat32(node: "(initializer)", tensor: stored.name, type: stored.tensor.dataType.onnxName)
        }
    }

    private static func stored(_ name: String, shape: [Int], floats: [Float]) throws(QuantizeError) -> StoredTensor {
        do { return StoredTensor(name: name, tensor: try Tensor(shape: shape, scalars: floats)) } catch {
            throw .invalidResult("cannot build tensor '\(name)': \(error)")
        }
    }

    private static func stored(_ name: String, shape: [Int], integers: [Int], type: DataType) throws(QuantizeError)
        -> StoredTensor
    {
        do {
            let tensor: Tensor =
                switch type {
                case .int8: try Tensor(shape: shape, scalars: integers.map { Int8($0) })
                case .uint8: try Tensor(shape: shape, scalars: integers.map { UInt8($0) })
                default: try Tensor(shape: shape, scalars: integers.map { Int32($0) })
                }
            return StoredTensor(name: name, tensor: tensor)
        } catch {
            throw .invalidResult("cannot build tensor '\(name)': \(error)")
        }
    }
}
