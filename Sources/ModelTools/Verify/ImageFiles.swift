public import Foundation
public import ImageIO
public import TensorCore

extension Tensor {
    /// A photo as a model input: 1×`channels`×H×W float32 in [0, 1]. Grey images are repeated
    /// into three channels; colour images give their luma (Rec. 601) to a one-channel model;
    /// alpha is dropped.
    public init(image: Image, channels: Int) throws(TensorError) {
        let width = image.width
        let height = image.height
        let source = image.layout.channels - (image.layout.hasAlpha ? 1 : 0)
        var values: [Float] = []
        values.reserveCapacity(channels * width * height)
        func plane(_ channel: Int) -> [Float] { image.plane(channel: channel, x: 0, y: 0, width: width, height: height) }
        if channels == 1, source >= 3 {
            let (r, g, b) = (plane(0), plane(1), plane(2))
            for index in r.indices { values.append(0.299 * r[index] + 0.587 * g[index] + 0.114 * b[index]) }
        } else {
            for channel in 0..<channels { values += plane(min(channel, source - 1)) }
        }
        try self.init(shape: [1, channels, height, width], scalars: values)
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
