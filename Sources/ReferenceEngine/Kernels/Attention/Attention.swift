import Foundation
import TensorCore

/// Attention (opset 23): scaled dot-product attention over heads, with grouped key/value heads,
/// a key/value cache (past and present), boolean or additive masks, causal and sliding-window
/// masks aligned to the cache offset, padding lengths, a soft cap and the optional score output.
///
/// Every score gets a bias: 0 where the key may be attended, −∞ where a mask, the causal frontier,
/// the window or the padding forbids it (a float mask adds its own value). A query whose every
/// bias is −∞ has no key to attend and outputs zeros rather than the NaN a softmax would give.
struct AttentionKernel {
    let isCausal: Bool
    let scale: Float?
    let softcap: Float
    let qHeadsAttribute: Int?
    let kvHeadsAttribute: Int?
    let scoreMode: Int
    let leftWindow: Int
    let rightWindow: Int

    init(_ node: NodeContext) throws(ReferenceEngineError) {
        isCausal = try node.int("is_causal", default: 0) != 0
        scale = try node.node.attribute("scale") == nil ? nil : node.float("scale", default: 0)
        softcap = try node.float("softcap", default: 0)
        qHeadsAttribute = try node.int("q_num_heads")
        kvHeadsAttribute = try node.int("kv_num_heads")
        scoreMode = try node.int("qk_matmul_output_mode", default: 0)
        leftWindow = try node.int("left_window_size", default: -1)
        rightWindow = try node.int("right_window_size", default: -1)
        try node.require((0...3).contains(scoreMode), "attribute 'qk_matmul_output_mode' is \(scoreMode); expected 0 to 3")
        try node.require(leftWindow >= -1 && rightWindow >= -1, "window sizes must be -1 or nonnegative")
        try node.require(softcap >= 0, "attribute 'softcap' is \(softcap); it must not be negative")
        try node.require(node.hasInput(4) == node.hasInput(5), "past_key and past_value must be given together")
        try node.require(!(node.hasInput(6) && node.hasInput(4)), "nonpad_kv_seqlen cannot be combined with past_key")
    }

    /// A [batch, heads, sequence, size] copy of a 3D [batch, sequence, heads × size] input, or the
    /// 4D input itself.
    private func heads(_ x: NDArray, count: Int?, name: String) throws(KernelError) -> (values: [Float], shape: [Int]) {
        let values = try x.floats()
        if x.rank == 4 { return (values, x.shape) }
        guard x.rank == 3, let count, count > 0, x.shape[2] % count == 0 else {
            throw .invalid("\(name) must be 4D, or 3D with q_num_heads and kv_num_heads dividing its last axis (shape \(x.shape))")
        }
        let (batch, length, size) = (x.shape[0], x.shape[1], x.shape[2] / count)
        var result = [Float](repeating: 0, count: values.count)
        for b in 0..<batch {
            for s in 0..<length {
                for h in 0..<count {
                    for d in 0..<size {
                        result[((b * count + h) * length + s) * size + d] = values[((b * length + s) * count + h) * size + d]
                    }
                }
            }
        }
        return (result, [batch, count, length, size])
    }

    /// `past` and `new` joined along the sequence axis of [batch, heads, sequence, size].
    private func append(_ past: NDArray?, _ new: (values: [Float], shape: [Int])) throws(KernelError) -> (values: [Float], shape: [Int]) {
        guard let past else { return new }
        let old = try past.floats()
        guard past.rank == 4, past.shape[0] == new.shape[0], past.shape[1] == new.shape[1], past.shape[3] == new.shape[3] else {
            throw .shapeMismatch("past \(past.shape) does not fit the incoming \(new.shape)")
        }
        let (batch, heads, pastLength, length, size) = (new.shape[0], new.shape[1], past.shape[2], new.shape[2], new.shape[3])
        var result: [Float] = []
        result.reserveCapacity(old.count + new.values.count)
        for bh in 0..<(batch * heads) {
            result += old[(bh * pastLength * size)..<((bh + 1) * pastLength * size)]
            result += new.values[(bh * length * size)..<((bh + 1) * length * size)]
        }
        return (result, [batch, heads, pastLength + length, size])
    }

    func run(_ inputs: KernelInputs, outputCount: Int) throws(KernelError) -> [NDArray] {
        let queryInput = try inputs.at(0)
        let type = queryInput.dataType
        let threeD = queryInput.rank == 3
        let q = try heads(queryInput, count: qHeadsAttribute, name: "Q")
        let past = inputs.optional(4)
        let k = try append(past, try heads(try inputs.at(1), count: kvHeadsAttribute, name: "K"))
        let v = try append(inputs.optional(5), try heads(try inputs.at(2), count: kvHeadsAttribute, name: "V"))
        let (batch, qHeads, qLength, size) = (q.shape[0], q.shape[1], q.shape[2], q.shape[3])
        let (kvHeads, kvLength, valueSize) = (k.shape[1], k.shape[2], v.shape[3])
        guard k.shape[0] == batch, v.shape[0] == batch, k.shape[3] == size, v.shape[1] == kvHeads, v.shape[2] == kvLength,
            kvHeads > 0, qHeads % kvHeads == 0
        else {
            throw .shapeMismatch("Q \(q.shape), K \(k.shape) and V \(v.shape) (as [batch, heads, sequence, size]) do not fit")
        }
        let group = qHeads / kvHeads
        let factor = scale ?? 1 / Float(size).squareRoot()
        let nonpad = try inputs.optional(6)?.intValues()
        if let nonpad, nonpad.count != batch { throw .shapeMismatch("nonpad_kv_seqlen has \(nonpad.count) entries for batch \(batch)") }
        let bias = try biases(mask: inputs.optional(3), batch: batch, heads: qHeads, qLength: qLength, kvLength: kvLength,
                              pastLength: past?.shape[2], nonpad: nonpad)

        var y = [Float](repeating: 0, count: batch * qHeads * qLength * valueSize)
        var scoresOut = [Float](repeating: 0, count: batch * qHeads * qLength * kvLength)
        var row = [Float](repeating: 0, count: kvLength)
        for b in 0..<batch {
            for h in 0..<qHeads {
                let kvBase = (b * kvHeads + h / group) * kvLength
                for i in 0..<qLength {
                    let qBase = ((b * qHeads + h) * qLength + i) * size
                    let rowBase = ((b * qHeads + h) * qLength + i) * kvLength
                    var largest = -Float.infinity
                    var open = false
                    for j in 0..<kvLength {
                        var dot: Float = 0
                        let kBase = (kvBase + j) * size
                        for d in 0..<size { dot += q.values[qBase + d] * k.values[kBase + d] }
                        var score = dot * factor
                        if softcap > 0 { score = softcap * tanh(score / softcap) }
                        let b = bias(b, h, i, j)
                        if b != -.infinity { open = true }
                        if scoreMode < 2 { scoresOut[rowBase + j] = score }
                        row[j] = score + b
                        if scoreMode == 2 { scoresOut[rowBase + j] = row[j] }
                        largest = max(largest, row[j])
                    }
                    // A query with no attendable key keeps zero weights (and a zero output row).
                    guard open, largest != -.infinity else { continue }
                    var total: Float = 0
                    for j in 0..<kvLength {
                        row[j] = row[j] == -.infinity ? 0 : exp(row[j] - largest)
                        total += row[j]
                    }
                    let yBase = ((b * qHeads + h) * qLength + i) * valueSize
                    for j in 0..<kvLength {
                        let weight = row[j] / total
                        if scoreMode == 3 { scoresOut[rowBase + j] = weight }
                        guard weight != 0 else { continue }
                        let vBase = (kvBase + j) * valueSize
                        for d in 0..<valueSize { y[yBase + d] += weight * v.values[vBase + d] }
                    }
                }
            }
        }
        var outputs = [threeD ? Self.merge(y, batch: batch, heads: qHeads, length: qLength, size: valueSize, type: type)
                              : NDArray(floats: y, shape: [batch, qHeads, qLength, valueSize], type: type)]
        if outputCount > 1 { outputs.append(NDArray(floats: k.values, shape: k.shape, type: type)) }
        if outputCount > 2 { outputs.append(NDArray(floats: v.values, shape: v.shape, type: type)) }
        if outputCount > 3 { outputs.append(NDArray(floats: scoresOut, shape: [batch, qHeads, qLength, kvLength], type: type)) }
        return outputs
    }

    /// [batch, heads, sequence, size] back to [batch, sequence, heads × size].
    private static func merge(_ y: [Float], batch: Int, heads: Int, length: Int, size: Int, type: DataType) -> NDArray {
        var result = [Float](repeating: 0, count: y.count)
        for b in 0..<batch {
            for h in 0..<heads {
                for s in 0..<length {
                    for d in 0..<size { result[((b * length + s) * heads + h) * size + d] = y[((b * heads + h) * length + s) * size + d] }
                }
            }
        }
        return NDArray(floats: result, shape: [batch, length, heads * size], type: type)
    }

    /// The bias of score (batch, head, query, key): the mask's value or −∞, plus −∞ outside the
    /// causal frontier, the window and each batch's padding length.
    private func biases(
        mask: NDArray?, batch: Int, heads: Int, qLength: Int, kvLength: Int, pastLength: Int?, nonpad: [Int64]?
    ) throws(KernelError) -> (Int, Int, Int, Int) -> Float {
        var maskValue: ((Int, Int, Int, Int) -> Float)?
        if let mask {
            let values = try mask.floatValues()
            let isBool = mask.dataType == .bool
            // The mask's key axis may be shorter than the keys (an external cache): the keys past
            // it are masked out.
            let maskLength = mask.shape.last ?? 1
            var padded = mask.shape
            if padded.isEmpty { padded = [1] }
            padded[padded.count - 1] = kvLength
            let target = [batch, heads, qLength, kvLength]
            _ = try ShapeMath.broadcast([padded, target])
            guard padded.count <= 4 else { throw .shapeMismatch("attn_mask \(mask.shape) has more than 4 axes") }
            let strides = ShapeMath.broadcastStrides(mask.shape.isEmpty ? [1] : mask.shape, to: target)
            let lastStride = maskLength == 1 && kvLength > 1 ? 0 : strides[3]
            maskValue = { b, h, i, j in
                if j >= maskLength && maskLength != 1 { return -.infinity }
                let value = values[b * strides[0] + h * strides[1] + i * strides[2] + j * lastStride]
                return isBool ? (value != 0 ? 0 : -.infinity) : value
            }
        }
        let windowed = leftWindow >= 0 || rightWindow >= 0
        let causal = isCausal
        let (left, right) = (leftWindow, rightWindow)
        return { b, h, i, j in
            var bias: Float = maskValue?(b, h, i, j) ?? 0
            let offset = pastLength ?? nonpad.map { Int($0[b]) - qLength } ?? 0
            if causal, j > i + offset { return -.infinity }
            if windowed {
                let distance = i + offset - j
                if left >= 0, distance > left { return -.infinity }
                if right >= 0, -distance > right { return -.infinity }
            }
            if let nonpad, j >= Int(nonpad[b]) { bias = -.infinity }
            return bias
        }
    }
}

extension OperatorRegistry {
    /// The attention family of opset 23 and later.
    mutating func registerAttention() {
        register("Attention", since: 23) { node throws(ReferenceEngineError) in
            let kernel = try AttentionKernel(node)
            let outputs = node.outputCount
            return { inputs, _ in try kernel.run(inputs, outputCount: outputs) }
        }
    }
}
