import Foundation
import TensorCore

/// Softmax, LogSoftmax and Hardmax. Before opset 13 they flatten the input to 2-D at `axis`
/// (default 1); from 13 on they work along one axis (default -1).
enum SoftmaxKernels {
    enum Kind: Sendable { case softmax, logSoftmax, hardmax }

    static func kernel(_ node: NodeContext, kind: Kind) throws(ReferenceEngineError) -> Kernel {
        let flattening = node.sinceVersion < 13
        let axis = try node.int("axis", default: flattening ? 1 : -1)
        return { inputs, _ in
            let x = try inputs.at(0)
            let a = try ShapeMath.axis(axis, rank: x.rank)
            let moved: NDArray
            let width: Int
            var order = Array(0..<x.rank)
            if flattening {
                moved = x
                width = x.shape[a...].product
            } else {
                order.remove(at: a)
                order.append(a)
                moved = a == x.rank - 1 ? x : x.transposed(order)
                width = x.shape[a]
            }
            var values = try moved.floats()
            let rows = width == 0 ? 0 : values.count / width
            for row in 0..<rows {
                let range = (row * width)..<((row + 1) * width)
                let peak = values[range].max() ?? 0
                switch kind {
                case .hardmax:
                    let winner = values[range].firstIndex(of: peak) ?? range.lowerBound
                    for i in range { values[i] = i == winner ? 1 : 0 }
                case .softmax, .logSoftmax:
                    var sum: Float = 0
                    for i in range { sum += Foundation.exp(values[i] - peak) }
                    let logSum = Foundation.log(sum)
                    for i in range {
                        values[i] = kind == .softmax ? Foundation.exp(values[i] - peak) / sum : values[i] - peak - logSum
                    }
                }
            }
            let result = NDArray(floats: values, shape: moved.shape, type: x.dataType)
            guard !flattening, a != x.rank - 1 else { return [result] }
            let back = (0..<x.rank).map { order.firstIndex(of: $0) ?? 0 }
            return [result.transposed(back)]
        }
    }
}

extension OperatorRegistry {
    /// Normalisation layers, the softmax family and inference-mode Dropout.
    mutating func registerNormalization() {
        register("BatchNormalization") { node throws(ReferenceEngineError) in try Normalization.batch(node) }
        register("InstanceNormalization") { node throws(ReferenceEngineError) in try Normalization.instance(node) }
        register("LayerNormalization") { node throws(ReferenceEngineError) in try Normalization.layer(node) }
        register("LRN") { node throws(ReferenceEngineError) in try Normalization.lrn(node) }
        register("MeanVarianceNormalization") { node throws(ReferenceEngineError) in try Normalization.meanVariance(node) }
        register("Softmax") { node throws(ReferenceEngineError) in try SoftmaxKernels.kernel(node, kind: .softmax) }
        register("LogSoftmax") { node throws(ReferenceEngineError) in try SoftmaxKernels.kernel(node, kind: .logSoftmax) }
        register("Hardmax") { node throws(ReferenceEngineError) in try SoftmaxKernels.kernel(node, kind: .hardmax) }
        register("NegativeLogLikelihoodLoss") { node throws(ReferenceEngineError) in try LossKernels.nll(node) }
        register("SoftmaxCrossEntropyLoss") { node throws(ReferenceEngineError) in try LossKernels.softmaxCrossEntropy(node) }
        register("Dropout") { node throws(ReferenceEngineError) in
            let wantMask = node.outputCount > 1
            return { inputs, _ in
                let x = try inputs.at(0)
                // Training mode draws random masks; only the deterministic inference mode is run.
                if let training = inputs.optional(2), try training.scalarInt() != 0, let ratio = inputs.optional(1), try ratio.scalarFloat() != 0 {
                    throw KernelError.invalid("training-mode Dropout is random; the reference engine runs inference only")
                }
                return wantMask ? [x, NDArray(ints: Array(repeating: 1, count: x.count), shape: x.shape, type: .bool)] : [x]
            }
        }
    }
}
