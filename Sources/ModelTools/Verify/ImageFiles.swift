public import Foundation
public import ImageIO
public import TensorCore

extension Tensor {
    /// A photo as a model input: 1×`channels`×H×W float32 in [0, 1]. Grey images are repeated
    /// into three channels; colour images give their luma (Rec. 601) to a one-channel model;
    /// alpha is dropped.
    public init(image: Image, channels: Int) throws(TensorError) {
        try self.init(
            shape: [1, channels, image.height, image.width],
            scalars: image.modelPlanes(count: channels, x: 0, y: 0, width: image.width, height: image.height))
    }
}

extension DiffPicture.RGB {
    /// Writes the picture as an 8-bit RGB PNG, atomically.
    public func writePNG(to url: URL) throws(VerifyError) {
        do {
            let image = try Image(width: width, height: height, layout: PixelLayout(channels: 3, bitDepth: 8), samples8: pixels)
            try image.write(to: url)
        } catch {
            throw .pictureFailed(path: url.path, reason: "\(error)")
        }
    }
}
