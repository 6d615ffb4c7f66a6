import Foundation
import TensorCore

/// The optimizer steps of the ai.onnx.preview.training domain: Adagrad, Momentum and Adam, one
/// iteration each over n tensors. Inputs are the learning rate R, the update count T, then n
/// tensors of each kind (X, G and the optimizer's state); outputs are n tensors of each new
/// kind, in the same grouping. Every formula is elementwise over tensors of X's shape.
enum OptimizerKernels {
    /// Splits the inputs after R and T into `kinds` groups of equally many tensors' values,
    /// then runs `step` on each element and regroups its `kinds - 1` results.
    static func run(
        _ inputs: KernelInputs, kinds: Int,
        _ step: (_ r: Float, _ t: Int, _ values: [Float]) -> [Float]
    ) throws(KernelError) -> [NDArray] {
        let r = try inputs.at(0).scalarFloat()
        let t = try inputs.at(1).scalarInt()
        let tensors = inputs.count - 2
        guard tensors > 0, tensors % kinds == 0 else { throw .invalid("\(tensors) tensors do not split into \(kinds) equal groups") }
        let n = tensors / kinds
        let arrays = try (0..<tensors).map { k throws(KernelError) in try inputs.at(2 + k) }
        var outputs = [NDArray?](repeating: nil, count: (kinds - 1) * n)
        for i in 0..<n {
            let group = (0..<kinds).map { arrays[$0 * n + i] }
            guard group.allSatisfy({ $0.shape == group[0].shape }) else {
                throw .shapeMismatch("the tensors of variable \(i) differ in shape: \(group.map(\.shape))")
            }
            let values = try group.map { a throws(KernelError) in try a.floatValues() }
            var results = [[Float]](repeating: [Float](repeating: 0, count: group[0].count), count: kinds - 1)
            for e in 0..<group[0].count {
                for (k, value) in step(r, t, values.map { $0[e] }).enumerated() { results[k][e] = value }
            }
            for k in 0..<(kinds - 1) {
                outputs[k * n + i] = NDArray(floats: results[k], shape: group[0].shape, type: group[0].dataType)
            }
        }
        return outputs.compactMap { $0 }
    }
}

extension OperatorRegistry {
    mutating func registerOptimizers() {
        let domain = "ai.onnx.preview.training"
        register("Adagrad", domain: domain) { node throws(ReferenceEngineError) in
            let decay = try node.float("decay_factor", default: 0)
            let epsilon = try node.float("epsilon", default: 1e-6)
            let norm = try node.float("norm_coefficient", default: 0)
            return { inputs, _ in
                try OptimizerKernels.run(inputs, kinds: 3) { r, t, v in
                    let (x, g, h) = (v[0], v[1], v[2])
                    let rate = r / (1 + Float(t) * decay)
                    let regularized = norm * x + g
                    let squares = h + regularized * regularized
                    return [x - rate * regularized / (squares.squareRoot() + epsilon), squares]
                }
            }
        }
        register("Momentum", domain: domain) { node throws(ReferenceEngineError) in
            guard node.node.attribute("alpha") != nil, node.node.attribute("beta") != nil else {
                throw node.invalid("attributes 'alpha' and 'beta' are required")
            }
            let alpha = try node.float("alpha", default: 0)
            let beta = try node.float("beta", default: 0)
            let norm = try node.float("norm_coefficient", default: 0)
            let nesterov = try node.choice("mode", default: "standard", in: ["standard", "nesterov"]) == "nesterov"
            return { inputs, _ in
                try OptimizerKernels.run(inputs, kinds: 3) { r, t, v in
                    let (x, g, momentum) = (v[0], v[1], v[2])
                    let regularized = norm * x + g
                    // The first iteration (T = 0) takes the gradient unscaled.
                    let next = alpha * momentum + (t > 0 ? beta : 1) * regularized
                    return [nesterov ? x - r * (regularized + alpha * next) : x - r * next, next]
                }
            }
        }
        register("Adam", domain: domain) { node throws(ReferenceEngineError) in
            let alpha = try node.float("alpha", default: 0.9)
            let beta = try node.float("beta", default: 0.999)
            let epsilon = try node.float("epsilon", default: 1e-6)
            let norm = try node.float("norm_coefficient", default: 0)
            let post = try node.float("norm_coefficient_post", default: 0)
            return { inputs, _ in
                try OptimizerKernels.run(inputs, kinds: 4) { r, t, v in
                    let (x, g, average, squares) = (v[0], v[1], v[2], v[3])
                    let regularized = norm * x + g
                    let nextAverage = alpha * average + (1 - alpha) * regularized
                    let nextSquares = beta * squares + (1 - beta) * regularized * regularized
                    let rate = t > 0 ? r * (1 - pow(beta, Float(t))).squareRoot() / (1 - pow(alpha, Float(t))) : r
                    let updated = x - rate * nextAverage / (nextSquares.squareRoot() + epsilon)
                    return [(1 - post) * updated, nextAverage, nextSquares]
                }
            }
        }
    }
}
