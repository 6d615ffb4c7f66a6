import Foundation
import TensorCore

/// NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss over N×C(×d…) scores.
enum LossKernels {
    struct Settings: Sendable {
        var reduction: String
        var ignoreIndex: Int?

        init(_ node: NodeContext) throws(ReferenceEngineError) {
            reduction = try node.choice("reduction", default: "mean", in: ["none", "sum", "mean"])
            ignoreIndex = try node.int("ignore_index")
        }
    }

    /// `-input[n, target, d…] × weight[target]`, reduced as asked.
    static func negativeLogLikelihood(
        _ input: [Float], shape: [Int], target: [Int64], weights: [Float]?, settings: Settings
    ) throws(KernelError) -> (values: [Float], shape: [Int]) {
        guard shape.count >= 2 else { throw .invalid("scores need shape N×C…, got \(shape)") }
        let (batch, classes) = (shape[0], shape[1])
        let inner = shape.dropFirst(2).product
        guard target.count == batch * inner else { throw .shapeMismatch("target has \(target.count) values for \(shape)") }
        var losses = [Float](repeating: 0, count: target.count)
        var weightSum: Float = 0
        for n in 0..<batch {
            for d in 0..<inner {
                let t = Int(target[n * inner + d])
                if t == settings.ignoreIndex { continue }
                guard t >= 0, t < classes else { throw .invalid("target \(t) is out of range for \(classes) classes") }
                let w = weights?[t] ?? 1
                losses[n * inner + d] = -input[(n * classes + t) * inner + d] * w
                weightSum += w
            }
        }
        switch settings.reduction {
        case "none": return (losses, [batch] + Array(shape.dropFirst(2)))
        case "sum": return ([losses.reduce(0, +)], [])
        default: return ([weightSum == 0 ? 0 : losses.reduce(0, +) / weightSum], [])
        }
    }

    static func nll(_ node: NodeContext) throws(ReferenceEngineError) -> Kernel {
        let settings = try Settings(node)
        return { inputs, _ in
            let input = try inputs.at(0)
            let (values, shape) = try negativeLogLikelihood(
                try input.floats(), shape: input.shape, target: try inputs.at(1).intValues(),
                weights: try inputs.optional(2)?.floats(), settings: settings)
            return [NDArray(floats: values, shape: shape, type: input.dataType)]
        }
    }

    static func softmaxCrossEntropy(_ node: NodeContext) throws(ReferenceEngineError) -> Kernel {
        let settings = try Settings(node)
        let wantLogProb = node.outputCount > 1
        return { inputs, _ in
            let scores = try inputs.at(0)
            guard scores.rank >= 2 else { throw KernelError.invalid("scores need shape N×C…, got \(scores.shape)") }
            let (batch, classes) = (scores.shape[0], scores.shape[1])
            let inner = scores.shape.dropFirst(2).product
            var logProb = try scores.floats()
            for n in 0..<batch {
                for d in 0..<inner {
                    let indices = (0..<classes).map { (n * classes + $0) * inner + d }
                    let peak = indices.map { logProb[$0] }.max() ?? 0
                    let logSum = Foundation.log(indices.reduce(Float(0)) { $0 + Foundation.exp(logProb[$1] - peak) })
                    for i in indices { logProb[i] = logProb[i] - peak - logSum }
                }
            }
            let (values, shape) = try negativeLogLikelihood(
                logProb, shape: scores.shape, target: try inputs.at(1).intValues(),
                weights: try inputs.optional(2)?.floats(), settings: settings)
            var outputs = [NDArray(floats: values, shape: shape, type: scores.dataType)]
            if wantLogProb { outputs.append(NDArray(floats: logProb, shape: scores.shape, type: scores.dataType)) }
            return outputs
        }
    }
}
