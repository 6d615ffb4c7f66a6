public import ImageIO

/// A decoded image as the tiles' input: its colour channels (alpha is upscaled separately, see
/// ``UpscaleSink``), repeated to three for a grey image when the model wants RGB.
public struct ImageTileSource: TileSource {
    public let image: Image
    public let channels: Int

    /// - Parameter channels: what the model takes: 3 (RGB) or 1 (grey).
    public init(image: Image, channels: Int = 3) {
        self.image = image
        self.channels = channels
    }

    public var width: Int { image.width }
    public var height: Int { image.height }

    public func planes(x: Int, y: Int, width: Int, height: Int) -> [Float] {
        image.modelPlanes(count: channels, x: x, y: y, width: width, height: height)
    }
}
