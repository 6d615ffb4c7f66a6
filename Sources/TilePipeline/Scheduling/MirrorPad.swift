public import TensorCore

/// Mirror padding of an [N, C, H, W] float32 batch, for models that consume a border.
///
/// The mirror leaves out the edge pixel itself (index −1 reads index 1), as Real-CUGAN's own
/// program pads; a border wider than the image folds back and forth.
public enum MirrorPad {
    /// `batch` padded by `border` on every side.
    public static func padded(_ batch: Tensor, border: Int) throws -> Tensor {
        guard batch.shape.count == 4 else {
            throw TilingError.invalidParameter(name: "batch rank", value: batch.shape.count, reason: "expected [N, C, H, W]")
        }
        let (planes, height, width) = (batch.shape[0] * batch.shape[1], batch.shape[2], batch.shape[3])
        let paddedHeight = height + 2 * border
        let paddedWidth = width + 2 * border
        let source = try batch.scalars(as: Float.self)
        let columns = (0..<paddedWidth).map { fold($0 - border, size: width) }
        var result = [Float](repeating: 0, count: planes * paddedHeight * paddedWidth)
        for plane in 0..<planes {
            for y in 0..<paddedHeight {
                let sourceRow = plane * height * width + fold(y - border, size: height) * width
                let targetRow = (plane * paddedHeight + y) * paddedWidth
                for x in 0..<paddedWidth { result[targetRow + x] = source[sourceRow + columns[x]] }
            }
        }
        return try Tensor(shape: [batch.shape[0], batch.shape[1], paddedHeight, paddedWidth], scalars: result)
    }

    /// The source index a padded position reads: mirrored about the first and last pixel.
    static func fold(_ index: Int, size: Int) -> Int {
        guard size > 1 else { return 0 }
        let period = 2 * (size - 1)
        let phase = ((index % period) + period) % period
        return phase < size ? phase : period - phase
    }
}
