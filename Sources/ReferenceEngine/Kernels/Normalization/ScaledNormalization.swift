import Foundation
import TensorCore

/// RMSNormalization, GroupNormalization and LpNormalization.
enum ScaledNormalization {
    /// `X / sqrt(mean(X²) + epsilon) × scale` over the axes from `axis` to the last; `scale`
    /// broadcasts to X.
    static func rms(_ node: NodeContext) throws(ReferenceEngineError) -> Kernel {
        let axis = try node.int("axis", default: -1)
        let epsilon = try node.float("epsilon", default: 1e-5)
        return { inputs, context in
            let x = try inputs.at(0)
            let scale = try inputs.at(1)
            let a = try ShapeMath.axis(axis, rank: x.rank)
            let width = x.shape[a...].product
            let values = try x.floats()
            var normalized = values
            for row in 0..<(width == 0 ? 0 : values.count / width) {
                let range = (row * width)..<((row + 1) * width)
                let meanSquare = values[range].reduce(0) { $0 + $1 * $1 } / Float(width)
                let factor = 1 / (meanSquare + epsilon).squareRoot()
                for i in range { normalized[i] = values[i] * factor }
            }
            let (result, shape) = try Broadcast.binary(normalized, x.shape, try scale.floats(), scale.shape, context: context) { $0 * $1 }
            guard shape == x.shape else { throw KernelError.shapeMismatch("scale \(scale.shape) does not broadcast to X \(x.shape)") }
            return [NDArray(floats: result, shape: shape, type: x.dataType)]
        }
    }

    /// Standardizes each group of `num_groups` channels per instance, then scales and shifts:
    /// per channel from opset 21, per group before.
    static func group(_ node: NodeContext) throws(ReferenceEngineError) -> Kernel {
        guard let groups = try node.int("num_groups"), groups > 0 else {
            throw node.invalid("attribute 'num_groups' is required and must be positive")
        }
        let epsilon = try node.float("epsilon", default: 1e-5)
        let perChannel = node.sinceVersion >= 21
        return { inputs, _ in
            let x = try inputs.at(0)
            guard x.rank >= 2, x.shape[1] % groups == 0 else {
                throw KernelError.invalid("X \(x.shape) needs a channel axis divisible by \(groups) groups")
            }
            let channels = x.shape[1]
            let scale = try inputs.at(1).floatValues()
            let bias = try inputs.at(2).floatValues()
            let parameters = perChannel ? channels : groups
            guard scale.count == parameters, bias.count == parameters else {
                throw KernelError.shapeMismatch("scale and bias need \(parameters) values, got \(scale.count) and \(bias.count)")
            }
            let plane = x.shape.dropFirst(2).product
            var (result, _, _) = Normalization.standardize(try x.floats(), width: channels / groups * plane, epsilon: epsilon)
            for i in result.indices {
                let c = (i / max(plane, 1)) % channels
                let k = perChannel ? c : c / (channels / groups)
                result[i] = result[i] * scale[k] + bias[k]
            }
            return [NDArray(floats: result, shape: x.shape, type: x.dataType)]
        }
    }

    /// `X / ‖X‖ₚ` along `axis` (p is 1 or 2); a zero norm gives zeros.
    static func lp(_ node: NodeContext) throws(ReferenceEngineError) -> Kernel {
        let axis = try node.int("axis", default: -1)
        let p = try node.int("p", default: 2)
        try node.require(p == 1 || p == 2, "attribute 'p' is \(p); only 1 and 2 are defined")
        return { inputs, _ in
            let x = try inputs.at(0)
            let a = try ShapeMath.axis(axis, rank: x.rank)
            let values = try x.floats()
            let (size, inner) = (x.shape[a], x.shape[(a + 1)...].product)
            var result = values
            for o in 0..<x.shape[..<a].product {
                for i in 0..<inner {
                    let indices = (0..<size).map { (o * size + $0) * inner + i }
                    let norm = p == 1 ? indices.reduce(0) { $0 + abs(values[$1]) }
                        : indices.reduce(0) { $0 + values[$1] * values[$1] }.squareRoot()
                    for index in indices { result[index] = norm == 0 ? 0 : values[index] / norm }
                }
            }
            return [NDArray(floats: result, shape: x.shape, type: x.dataType)]
        }
    }
}

extension OperatorRegistry {
    mutating func registerScaledNormalization() {
        register("RMSNormalization", since: 23) { node throws(ReferenceEngineError) in try ScaledNormalization.rms(node) }
        register("GroupNormalization", since: 18) { node throws(ReferenceEngineError) in try ScaledNormalization.group(node) }
        register("LpNormalization") { node throws(ReferenceEngineError) in try ScaledNormalization.lp(node) }
    }
}
