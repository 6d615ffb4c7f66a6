public import TensorCore

/// A rectangle of one image of a float32 N×C×H×W batch, read where it lies: the stitcher copies a
/// tile's output straight out of the processor's tensor (which for ONNX Runtime is the library's
/// own output buffer), instead of each tile's output being cropped into an array first.
public struct PlanarRegion: Sendable {
    public let batch: Tensor
    /// Which image of the batch.
    public let image: Int
    /// The rectangle, in that image's pixels.
    public let rect: PixelRect
    public let channels: Int
    private let imageHeight: Int
    private let imageWidth: Int

    /// `rect` of image `image` of `batch`.
    /// - Throws: ``TilingError/outputType(processor:type:)`` for a batch that is not float32, or
    ///   ``TilingError/regionOutsideImage(region:width:height:)`` when `rect` or `image` lies outside it.
    public init(batch: Tensor, image: Int, rect: PixelRect) throws(TilingError) {
        guard batch.dataType == .float32, batch.shape.count == 4 else {
            throw .outputType(processor: "a planar region's batch \(batch.shape)", type: batch.dataType)
        }
        let (count, channels, height, width) = (batch.shape[0], batch.shape[1], batch.shape[2], batch.shape[3])
        guard image >= 0, image < count, rect.width > 0, rect.height > 0, rect.x >= 0, rect.y >= 0,
            rect.maxX <= width, rect.maxY <= height
        else { throw .regionOutsideImage(region: rect, width: width, height: height) }
        self.batch = batch
        self.image = image
        self.rect = rect
        self.channels = channels
        imageHeight = height
        imageWidth = width
    }

    /// The whole of `image`.
    public init(_ image: PlanarImage) throws(TilingError) {
        let batch: Tensor
        do {
            batch = try Tensor(shape: [1, image.channels, image.height, image.width], scalars: image.values)
        } catch {
            throw .valueCountMismatch(what: "a planar image", expected: image.channels * image.height * image.width, actual: image.values.count)
        }
        try self.init(batch: batch, image: 0, rect: PixelRect(x: 0, y: 0, width: image.width, height: image.height))
    }

    public var width: Int { rect.width }
    public var height: Int { rect.height }

    /// Calls `body` with the region's first value (channel 0, top left) and the strides between
    /// planes and between rows: value (c, y, x) is `origin[c × planeStride + y × rowStride + x]`.
    public func withUnsafePlanes<R>(
        _ body: (_ origin: UnsafePointer<Float>, _ planeStride: Int, _ rowStride: Int) throws -> R
    ) throws -> R {
        let planeStride = imageHeight * imageWidth
        let offset = image * channels * planeStride + rect.y * imageWidth + rect.x
        return try batch.withUnsafeScalars(as: Float.self) { values in
            guard let base = values.baseAddress else { throw TilingError.emptyImage(width: rect.width, height: rect.height) }
            return try body(base + offset, planeStride, imageWidth)
        }
    }
}
