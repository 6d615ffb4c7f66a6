import ONNXModel

/// Merges the nodes that follow a convolution into it once the plan knows the constants, as ONNX
/// Runtime's Conv fusions do: a BatchNormalization into the weights and bias; an Add or Sum with
/// another tensor (a residual connection) and an activation into the pass that adds the bias
/// (``ConvEpilogue``). Each merged node would otherwise cost a full pass over the activation and
/// a fresh buffer. Then it hands the final weights to ``WinogradConv``, which transforms them
/// once where it applies; the step's label ends in "as Winograd F(4×4,3×3)" (or 6×6) there.
///
/// A node merges only when it is the convolution's output's one reader and that output is no
/// graph output. The fused step takes the last merged node's place in the order: the
/// convolution's own inputs are ready earlier, and a residual is ready there by definition.
struct ConvFusion {
    private var steps: [ExecutionPlan.Step?]
    private var constants: [Int: NDArray]
    private var slotCount: Int
    private let keep: Set<Int>
    private let winogradTile: Int?

    /// `steps` in order with the nodes merged, and the plan's constants and slot count grown by
    /// the folded weights; 3×3 convolutions take ``WinogradConv`` with `winogradTile` where it
    /// applies, none when `nil`.
    static func apply(
        to steps: [ExecutionPlan.Step], constants: inout [Int: NDArray], slotCount: inout Int, keep: Set<Int>,
        winogradTile: Int?
    ) throws(ReferenceEngineError) -> [ExecutionPlan.Step] {
        var fusion = ConvFusion(
            steps: steps, constants: constants, slotCount: slotCount, keep: keep, winogradTile: winogradTile)
        var fused = Set<Int>()
        for index in steps.indices where !fused.contains(index) {
            if let position = try fusion.fuse(at: index) { fused.insert(position) }
        }
        constants = fusion.constants
        slotCount = fusion.slotCount
        return fusion.steps.compactMap { $0 }
    }

    /// The convolution being extended: its weights and bias (constants it may rewrite) and what
    /// the epilogue has gathered.
    private struct Chain {
        var weight: NDArray?
        var bias: NDArray?
        var weightSlot: Int?
        var biasSlot: Int?
        var epilogue = ConvEpilogue()
        var residualSlot: Int?
        var merged: [String] = []
    }

    /// Extends the Conv at `index` as far as it goes; returns where the fused step now sits, or
    /// `nil` when `index` is no Conv, or nothing merged and Winograd does not apply.
    private mutating func fuse(at index: Int) throws(ReferenceEngineError) -> Int? {
        guard let conv = steps[index], conv.node.node.opType == "Conv", Self.isStandard(conv.node),
            conv.inputs.count >= 2, let input = conv.inputs[0], var output = Self.onlyOutput(of: conv)
        else { return nil }
        var chain = Chain(
            weight: conv.node.constants[1], bias: conv.node.hasInput(2) ? conv.node.constants[2] : nil,
            weightSlot: conv.inputs[1], biasSlot: conv.inputs.count > 2 ? conv.inputs[2] : nil)
        var position = index
        while !keep.contains(output), let (next, reader) = soleReader(of: output),
            let merged = try merge(reader, reading: output, into: &chain)
        {
            chain.merged.append(reader.label)
            steps[position] = nil
            position = next
            output = merged
        }
        let kernel = try ConvKernel(
            conv.node, epilogue: chain.epilogue, weight: winogradTile == nil ? nil : chain.weight, winogradTile: winogradTile ?? 4)
        guard !chain.merged.isEmpty || kernel.winograd != nil else { return nil }
        // The Winograd kernel holds the weight transformed: the plan need not keep the original.
        var inputs: [Int?] = [input, kernel.winograd == nil ? chain.weightSlot : nil, chain.biasSlot]
        if let residual = chain.residualSlot { inputs.append(residual) }
        var label = conv.label
        if !chain.merged.isEmpty { label += " fused with \(chain.merged.joined(separator: ", "))" }
        if let winograd = kernel.winograd { label += " as \(winograd.name)" }
        steps[position] = ExecutionPlan.Step(
            label: label,
            kernel: .tensors { inputs, context in try kernel.run(inputs, context) },
            inputs: inputs, outputs: [output], releases: [], node: conv.node)
        return position
    }

    /// Merges `reader` into `chain` if it can; returns the slot the fused step now writes.
    private mutating func merge(_ reader: ExecutionPlan.Step, reading slot: Int, into chain: inout Chain)
        throws(ReferenceEngineError) -> Int?
    {
        let node = reader.node
        guard Self.isStandard(node), let output = Self.onlyOutput(of: reader) else { return nil }
        // Normalisation and activations must read the convolution as their data input.
        let asData = reader.inputs.first == slot
        let activationFree = chain.epilogue.activation == nil
        switch node.node.opType {
        case "BatchNormalization" where asData && chain.epilogue.isEmpty:
            return try foldBatchNormalization(node, into: &chain) ? output : nil
        case "Add" where node.sinceVersion >= 7 && reader.inputs.count == 2,
            "Sum" where reader.inputs.count == 2:
            guard activationFree, chain.residualSlot == nil, let other = reader.inputs.first(where: { $0 != slot }) ?? nil
            else { return nil }
            chain.residualSlot = other
            chain.epilogue.residual = 3
            return output
        case "Relu" where asData && activationFree:
            chain.epilogue.activation = .relu
        case "LeakyRelu" where asData && activationFree:
            chain.epilogue.activation = .leakyRelu(alpha: try node.float("alpha", default: 0.01))
        case "PRelu" where asData && activationFree:
            guard let activation = Self.prelu(node.constants[1], weight: chain.weight) else { return nil }
            chain.epilogue.activation = activation
        case "Clip" where asData && activationFree:
            guard let (low, high) = try Self.clipBounds(node) else { return nil }
            chain.epilogue.activation = .clip(min: low, max: high)
        default:
            return nil
        }
        return output
    }

    /// Scales the weights and shifts the bias by the normalisation: W·s and (B − mean)·s + β,
    /// with s = γ / √(var + ε) per output channel.
    private mutating func foldBatchNormalization(_ node: NodeContext, into chain: inout Chain) throws(ReferenceEngineError) -> Bool {
        guard try node.int("training_mode", default: 0) == 0, try node.int("spatial", default: 1) == 1,
            let weight = chain.weight, let w = try? weight.floats(), let channels = weight.shape.first, channels > 0,
            chain.biasSlot == nil || chain.bias != nil
        else { return false }
        var parameters: [[Float]] = []
        for index in 1...4 {
            guard let values = try? node.constants[index]?.floatValues(), values.count == channels else { return false }
            parameters.append(values)
        }
        let (gamma, beta, mean, variance) = (parameters[0], parameters[1], parameters[2], parameters[3])
        let epsilon = try node.float("epsilon", default: 1e-5)
        let oldBias = try? chain.bias?.floats()
        let perChannel = w.count / channels
        var scaled = w
        var bias = [Float](repeating: 0, count: channels)
        for c in 0..<channels {
            let s = gamma[c] / (variance[c] + epsilon).squareRoot()
            for i in (c * perChannel)..<((c + 1) * perChannel) { scaled[i] *= s }
            bias[c] = ((oldBias?[c] ?? 0) - mean[c]) * s + beta[c]
        }
        chain.weight = NDArray(floats: scaled, shape: weight.shape, type: weight.dataType)
        chain.bias = NDArray(floats: bias, shape: [channels], type: weight.dataType)
        chain.weightSlot = newConstant(chain.weight!)
        chain.biasSlot = newConstant(chain.bias!)
        return true
    }

    private mutating func newConstant(_ value: NDArray) -> Int {
        constants[slotCount] = value
        slotCount += 1
        return slotCount - 1
    }

    /// The one step reading `slot`, once, and its index; `nil` when none or several do.
    private func soleReader(of slot: Int) -> (Int, ExecutionPlan.Step)? {
        var found: (Int, ExecutionPlan.Step)?
        for (index, step) in steps.enumerated() {
            guard let step else { continue }
            let reads = step.inputs.count { $0 == slot }
            if reads == 0 { continue }
            if reads > 1 || found != nil { return nil }
            found = (index, step)
        }
        return found
    }

    /// A PRelu slope as an activation: one value, or one per output channel laid along the
    /// output's channel axis (the slope broadcasts from the right: `[C, 1, 1]`, `[1, C, 1, 1]`…).
    private static func prelu(_ slope: NDArray?, weight: NDArray?) -> ConvEpilogue.Activation? {
        guard let slope, let values = try? slope.floatValues() else { return nil }
        if values.count == 1 { return .leakyRelu(alpha: values[0]) }
        guard let weight, slope.rank <= weight.rank else { return nil }
        let aligned = Array(repeating: 1, count: weight.rank - slope.rank) + slope.shape
        let expected = aligned.indices.map { $0 == 1 ? weight.shape[0] : 1 }
        return aligned == expected ? .prelu(slopes: values) : nil
    }

    /// Clip's bounds, from attributes before opset 11 and constant inputs after; `nil` when an
    /// input bound is only known at run time.
    private static func clipBounds(_ node: NodeContext) throws(ReferenceEngineError) -> (Float, Float)? {
        let (lowest, highest) = (-Float.greatestFiniteMagnitude, Float.greatestFiniteMagnitude)
        if node.sinceVersion < 11 {
            return (try node.float("min", default: lowest), try node.float("max", default: highest))
        }
        func bound(_ index: Int, _ fallback: Float) -> Float?? {
            guard node.hasInput(index) else { return .some(fallback) }
            guard let value = node.constants[index], let values = try? value.floatValues(), values.count == 1 else { return .none }
            return .some(values[0])
        }
        guard let low = bound(1, lowest), let high = bound(2, highest), let low, let high else { return nil }
        return (low, high)
    }

    private static func isStandard(_ node: NodeContext) -> Bool { OpsetImport.canonicalDomain(node.node.domain).isEmpty }

    /// The step's output slot when it writes exactly one.
    private static func onlyOutput(of step: ExecutionPlan.Step) -> Int? {
        guard let first = step.outputs.first ?? nil, step.outputs.dropFirst().allSatisfy({ $0 == nil }) else { return nil }
        return first
    }
}
