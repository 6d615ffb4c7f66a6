import Foundation
import TensorCore

/// CenterCropPad: each chosen axis is cropped or zero-padded to its target size around the
/// centre; an odd difference puts the extra element on the high side (crops start rounded down).
struct CenterCropPadKernel {
    let axes: [Int]?

    init(_ node: NodeContext) throws(ReferenceEngineError) { axes = try node.ints("axes") }

    func run(_ inputs: KernelInputs, pool: BufferPool) throws(KernelError) -> NDArray {
        let x = try inputs.at(0)
        let sizes = try inputs.at(1).intValues().map { Int($0) }
        let chosen = try (axes ?? Array(0..<x.rank)).map { a throws(KernelError) in try ShapeMath.axis(a, rank: x.rank) }
        guard chosen.count == sizes.count, sizes.allSatisfy({ $0 >= 0 }) else {
            throw .shapeMismatch("\(sizes.count) sizes for axes \(chosen) of \(x.shape)")
        }
        var shape = x.shape
        // Per axis, where the output's index 0 falls in the input (negative when padding).
        var start = [Int](repeating: 0, count: x.rank)
        for (axis, size) in zip(chosen, sizes) {
            let difference = x.shape[axis] - size
            start[axis] = difference >= 0 ? difference / 2 : -((-difference) / 2)
            shape[axis] = size
        }
        let inputStrides = ShapeMath.strides(x.shape)
        let outputStrides = ShapeMath.strides(shape)
        // Padded positions read a zero element appended after X.
        let padIndex = x.count
        let offsets = (0..<shape.product).map { index -> Int in
            var rest = index
            var offset = 0
            for axis in 0..<shape.count {
                let source = rest / outputStrides[axis] + start[axis]
                rest %= outputStrides[axis]
                guard source >= 0, source < x.shape[axis] else { return padIndex }
                offset += source * inputStrides[axis]
            }
            return offset
        }
        let padded = try NDArray.concatenate([x.reshaped([x.count]), NDArray.empty(x.dataType, shape: [1])], axis: 0, pool: pool)
        return padded.gathered(offsets, shape: shape)
    }
}

extension OperatorRegistry {
    mutating func registerCenterCropPad() {
        register("CenterCropPad", since: 18) { node throws(ReferenceEngineError) in
            let kernel = try CenterCropPadKernel(node)
            return { inputs, context in [try kernel.run(inputs, pool: context.pool)] }
        }
    }
}
