import TensorCore

/// The dimensions of an NCHW float batch, and the check that a processor's output matches its input.
struct BatchShape: Equatable {
    var count: Int
    var channels: Int
    var height: Int
    var width: Int

    var planeSize: Int { height * width }
    var imageSize: Int { channels * height * width }
    var dims: [Int] { [count, channels, height, width] }

    init(count: Int, channels: Int, height: Int, width: Int) {
        self.count = count
        self.channels = channels
        self.height = height
        self.width = width
    }

    /// Reads the shape of `output`, which `processor` returned for a batch of shape `input`: it
    /// must be float32, of the same count, and `scale` times as high and wide.
    /// - Throws: ``TilingError/outputShape(processor:expected:actual:)`` or ``TilingError/outputType(processor:type:)``.
    init(output: Tensor, input: BatchShape, scale: Int, processor: String) throws(TilingError) {
        guard output.dataType == .float32 else { throw .outputType(processor: processor, type: output.dataType) }
        let expected = [input.count, output.shape.count == 4 ? output.shape[1] : input.channels, input.height * scale, input.width * scale]
        guard output.shape == expected, expected[1] > 0 else {
            throw .outputShape(processor: processor, expected: expected, actual: output.shape)
        }
        self.init(count: expected[0], channels: expected[1], height: expected[2], width: expected[3])
    }
}
