/// The first image of an N×C×H×W batch as planes of doubles, for image metrics and pictures.
struct ImagePlanes: Sendable {
    var channels: Int
    var height: Int
    var width: Int
    /// Channel-major values of the first image: `values[(c * height + y) * width + x]`.
    var values: ArraySlice<Double>

    /// Whether a tensor of `shape` is a batch of images: rank 4, 1, 3 or 4 channels, sides of at
    /// least 7 pixels (SSIM's window).
    static func isImageShaped(_ shape: [Int]) -> Bool {
        shape.count == 4 && [1, 3, 4].contains(shape[1]) && shape[2] >= 7 && shape[3] >= 7
    }

    /// The first image of `values`, laid out as `shape` (N×C×H×W).
    init(shape: [Int], values: [Double]) {
        channels = shape[1]
        height = shape[2]
        width = shape[3]
        self.values = values[0..<(channels * height * width)]
    }

    subscript(channel: Int, y: Int, x: Int) -> Double {
        values[values.startIndex + (channel * height + y) * width + x]
    }
}
