import Foundation
import TensorCore

/// MaxUnpool: scatters each value of X to the flat position its index names in the output a
/// MaxPool with these kernel, stride and pads would have read; everything else is zero. With an
/// `output_shape` input, that result sits at the start of a zero tensor of that shape.
struct MaxUnpoolKernel {
    let kernelShape: [Int]
    let strides: [Int]
    let pads: [Int]

    init(_ node: NodeContext) throws(ReferenceEngineError) {
        guard let kernel = try node.ints("kernel_shape"), !kernel.isEmpty, kernel.allSatisfy({ $0 > 0 }) else {
            throw node.invalid("attribute 'kernel_shape' is required and must be positive")
        }
        kernelShape = kernel
        strides = try node.ints("strides") ?? Array(repeating: 1, count: kernel.count)
        pads = try node.ints("pads") ?? Array(repeating: 0, count: 2 * kernel.count)
        try node.require(strides.count == kernel.count && pads.count == 2 * kernel.count,
                         "'strides' and 'pads' must have \(kernel.count) and \(2 * kernel.count) values")
    }

    func run(_ inputs: KernelInputs) throws(KernelError) -> NDArray {
        let x = try inputs.at(0)
        let indices = try inputs.at(1).intValues()
        let spatial = kernelShape.count
        guard x.rank == spatial + 2, indices.count == x.count else {
            throw .shapeMismatch("X \(x.shape) and its indices do not fit a \(spatial)-D kernel")
        }
        var inferred = Array(x.shape.prefix(2))
        for axis in 0..<spatial {
            inferred.append((x.shape[axis + 2] - 1) * strides[axis] - pads[axis] - pads[axis + spatial] + kernelShape[axis])
        }
        let values = try x.floatValues()
        var unpooled = [Float](repeating: 0, count: inferred.product)
        for (value, index) in zip(values, indices) {
            guard index >= 0, Int(index) < unpooled.count else { throw .invalid("index \(index) is outside the output's \(unpooled.count) elements") }
            unpooled[Int(index)] = value
        }
        let target = try inputs.optional(2)?.intValues().map { Int($0) } ?? inferred
        guard target.count == inferred.count, zip(target, inferred).allSatisfy({ $0 >= $1 }) else {
            throw .shapeMismatch("output_shape \(target) is smaller than the unpooled \(inferred)")
        }
        var result = [Float](repeating: 0, count: target.product)
        let from = ShapeMath.strides(inferred)
        let to = ShapeMath.strides(target)
        for index in unpooled.indices {
            var rest = index
            var offset = 0
            for axis in inferred.indices {
                offset += rest / from[axis] * to[axis]
                rest %= from[axis]
            }
            result[offset] = unpooled[index]
        }
        return NDArray(floats: result, shape: target, type: x.dataType)
    }
}

extension OperatorRegistry {
    mutating func registerMaxUnpool() {
        register("MaxUnpool", since: 9) { node throws(ReferenceEngineError) in
            let kernel = try MaxUnpoolKernel(node)
            return { inputs, _ in [try kernel.run(inputs)] }
        }
    }
}
