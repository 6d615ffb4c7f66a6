import Foundation
import TensorCore

/// RotaryEmbedding (opset 23): rotates pairs of each head's first `rotary_embedding_dim`
/// features by the angle of the token's position, whose cosine and sine come from the caches.
/// Pairs are (k, k + dim/2) or, interleaved, (2k, 2k + 1); the remaining features pass through.
struct RotaryEmbeddingKernel {
    let interleaved: Bool
    let rotaryDimension: Int
    let headsAttribute: Int?

    init(_ node: NodeContext) throws(ReferenceEngineError) {
        interleaved = try node.int("interleaved", default: 0) != 0
        rotaryDimension = try node.int("rotary_embedding_dim", default: 0)
        headsAttribute = try node.int("num_heads")
        try node.require(rotaryDimension >= 0, "attribute 'rotary_embedding_dim' is \(rotaryDimension); it must not be negative")
    }

    func run(_ inputs: KernelInputs) throws(KernelError) -> NDArray {
        let x = try inputs.at(0)
        let values = try x.floats()
        let cosines = try inputs.at(1)
        let cos = try cosines.floatValues()
        let sin = try inputs.at(2).floatValues()
        let positions = try inputs.optional(3)?.intValues()
        // [batch, heads, sequence, size] for 4D input, [batch, sequence, heads × size] for 3D.
        let (batch, heads, length, size): (Int, Int, Int, Int)
        if x.rank == 4 {
            (batch, heads, length, size) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        } else if x.rank == 3, let count = headsAttribute, count > 0, x.shape[2] % count == 0 {
            (batch, heads, length, size) = (x.shape[0], count, x.shape[1], x.shape[2] / count)
        } else {
            throw .invalid("X must be 4D, or 3D with num_heads dividing its last axis (shape \(x.shape))")
        }
        let rotated = rotaryDimension == 0 ? size : rotaryDimension
        let half = rotated / 2
        guard rotated <= size, rotated % 2 == 0, cosines.shape.last == half, cos.count == sin.count else {
            throw .shapeMismatch("caches \(cosines.shape) do not fit a rotary dimension of \(rotated) in heads of \(size)")
        }
        if let positions, positions.count != batch * length {
            throw .shapeMismatch("position_ids has \(positions.count) entries for batch \(batch) × sequence \(length)")
        }
        let rows = cos.count / max(half, 1)
        var result = values
        for b in 0..<batch {
            for s in 0..<length {
                // Without position_ids the caches are indexed [batch, sequence] directly.
                let row = positions.map { Int($0[b * length + s]) } ?? (b * length + s)
                guard row >= 0, row < rows else { throw .invalid("position \(row) is outside the caches' \(rows) rows") }
                for h in 0..<heads {
                    let base = x.rank == 4 ? ((b * heads + h) * length + s) * size : ((b * length + s) * heads + h) * size
                    for k in 0..<half {
                        let (first, second) = interleaved ? (base + 2 * k, base + 2 * k + 1) : (base + k, base + k + half)
                        let (c, n) = (cos[row * half + k], sin[row * half + k])
                        result[first] = c * values[first] - n * values[second]
                        result[second] = n * values[first] + c * values[second]
                    }
                }
            }
        }
        return NDArray(floats: result, shape: x.shape, type: x.dataType)
    }
}

extension OperatorRegistry {
    mutating func registerRotaryEmbedding() {
        register("RotaryEmbedding", since: 23) { node throws(ReferenceEngineError) in
            let kernel = try RotaryEmbeddingKernel(node)
            return { inputs, _ in [try kernel.run(inputs)] }
        }
    }
}
