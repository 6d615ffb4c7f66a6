import TensorCore

/// Col2Im (opset 18): the inverse of im2col. Input [N, C·∏block, L], each column one block
/// position (row-major over the positions that fit the padded image), each row a channel and an
/// offset inside the block (row-major); every value is added into the image [N, C, image_shape…]
/// at position·stride − pad_begin + offset·dilation, where that falls inside it.
struct Col2ImKernel {
    let dilations: [Int]?
    let pads: [Int]?
    let strides: [Int]?

    init(_ node: NodeContext) throws(ReferenceEngineError) {
        dilations = try node.ints("dilations")
        pads = try node.ints("pads")
        strides = try node.ints("strides")
    }

    func run(_ inputs: KernelInputs) throws(KernelError) -> NDArray {
        let columns = try inputs.at(0)
        let image = try inputs.at(1).intValues().map(Int.init)
        let block = try inputs.at(2).intValues().map(Int.init)
        let rank = image.count
        let dilations = self.dilations ?? Array(repeating: 1, count: rank)
        let pads = self.pads ?? Array(repeating: 0, count: 2 * rank)
        let strides = self.strides ?? Array(repeating: 1, count: rank)
        guard rank > 0, block.count == rank, dilations.count == rank, strides.count == rank, pads.count == 2 * rank,
            columns.rank == 3
        else {
            throw .shapeMismatch("input \(columns.shape), image_shape \(image), block_shape \(block), dilations, pads and strides disagree in rank")
        }
        guard image.allSatisfy({ $0 > 0 }), block.allSatisfy({ $0 > 0 }), dilations.allSatisfy({ $0 > 0 }),
            strides.allSatisfy({ $0 > 0 }), pads.allSatisfy({ $0 >= 0 })
        else { throw .invalid("image_shape, block_shape, dilations and strides must be positive, pads non-negative") }
        let blockSize = block.reduce(1, *)
        let positions = (0..<rank).map { (axis: Int) -> Int in
            let padded: Int = image[axis] + pads[axis] + pads[axis + rank]
            let span: Int = dilations[axis] * (block[axis] - 1) + 1
            return (padded - span) / strides[axis] + 1
        }
        let (batch, rows, length) = (columns.shape[0], columns.shape[1], columns.shape[2])
        guard rows % blockSize == 0, positions.allSatisfy({ $0 > 0 }), length == positions.reduce(1, *) else {
            throw .shapeMismatch("input \(columns.shape) does not hold \(positions) blocks of \(block) for an image of \(image)")
        }
        let channels = rows / blockSize
        let imageSize = image.reduce(1, *)
        let values = try columns.floatValues()
        var result = [Float](repeating: 0, count: batch * channels * imageSize)
        for offset in 0..<blockSize {
            let offsets = Self.unravel(offset, in: block)
            for position in 0..<length {
                let place = Self.unravel(position, in: positions)
                var target = 0
                var inside = true
                for axis in 0..<rank {
                    let coordinate = place[axis] * strides[axis] - pads[axis] + offsets[axis] * dilations[axis]
                    guard (0..<image[axis]).contains(coordinate) else { inside = false; break }
                    target = target * image[axis] + coordinate
                }
                guard inside else { continue }
                for plane in 0..<batch * channels {
                    let (n, c) = plane.quotientAndRemainder(dividingBy: channels)
                    result[plane * imageSize + target] += values[(n * rows + c * blockSize + offset) * length + position]
                }
            }
        }
        return NDArray(floats: result, shape: [batch, channels] + image, type: columns.dataType)
    }

    /// The row-major multi-index of `index` in `shape`.
    private static func unravel(_ index: Int, in shape: [Int]) -> [Int] {
        var rest = index
        var result = [Int](repeating: 0, count: shape.count)
        for axis in shape.indices.reversed() {
            result[axis] = rest % shape[axis]
            rest /= shape[axis]
        }
        return result
    }
}

extension OperatorRegistry {
    mutating func registerCol2Im() {
        register("Col2Im", since: 18) { node throws(ReferenceEngineError) in
            let kernel = try Col2ImKernel(node)
            return { inputs, _ in [try kernel.run(inputs)] }
        }
    }
}
