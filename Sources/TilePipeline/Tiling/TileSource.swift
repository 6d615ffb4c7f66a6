/// Where tiles read their input pixels: an image of `width` × `height` pixels with `channels`
/// planes, read one rectangle at a time.
///
/// Workers call ``planes(x:y:width:height:)`` from their own threads, several at once, so a
/// conforming type must be safe to read concurrently. A source that decodes as it goes (see
/// ``ImageBandSource``) throws its decoding errors from there; the run stops with them.
public protocol TileSource: Sendable {
    var width: Int { get }
    var height: Int { get }
    var channels: Int { get }

    /// The rectangle's pixels as planar floats (CHW: every row of channel 0, then channel 1, …),
    /// `channels × height × width` values. Pixels outside the image take the value of the nearest
    /// edge pixel, so a tile may reach past the border (edge-replication padding).
    func planes(x: Int, y: Int, width: Int, height: Int) throws -> [Float]
}

/// An image held in memory as planar floats (CHW): the in-memory ``TileSource``, and what
/// ``PlanarImageSink`` collects.
public struct PlanarImage: TileSource, Hashable {
    public let width: Int
    public let height: Int
    public let channels: Int
    /// `channels × height × width` values, channel-major, then row-major.
    public private(set) var values: [Float]

    /// Wraps `values` (CHW).
    /// - Throws: ``TilingError/emptyImage(width:height:)`` or
    ///   ``TilingError/valueCountMismatch(what:expected:actual:)``.
    public init(width: Int, height: Int, channels: Int, values: [Float]) throws(TilingError) {
        guard width > 0, height > 0, channels > 0 else { throw .emptyImage(width: width, height: height) }
        let expected = channels * height * width
        guard values.count == expected else {
            throw .valueCountMismatch(what: "a \(width)x\(height)x\(channels) image", expected: expected, actual: values.count)
        }
        self.width = width
        self.height = height
        self.channels = channels
        self.values = values
    }

    /// The value of channel `channel` at row `y`, column `x`.
    public subscript(channel: Int, y: Int, x: Int) -> Float {
        values[(channel * height + y) * width + x]
    }

    public func planes(x: Int, y: Int, width requestedWidth: Int, height requestedHeight: Int) -> [Float] {
        let count = channels * requestedWidth * requestedHeight
        guard requestedWidth > 0, requestedHeight > 0 else { return [] }
        // The columns that exist in the image; the rest repeat the first or last of them.
        let inside = max(0, min(x + requestedWidth, width) - max(x, 0))
        let leftPad = min(requestedWidth, max(0, -x))
        let firstColumn = min(max(x, 0), width - 1)
        return [Float](unsafeUninitializedCapacity: count) { out, initialized in
            values.withUnsafeBufferPointer { source in
                guard let source = source.baseAddress, let out = out.baseAddress else { return }
                for channel in 0..<channels {
                    for row in 0..<requestedHeight {
                        let sourceRow = source + (channel * height + min(max(y + row, 0), height - 1)) * width
                        let target = out + (channel * requestedHeight + row) * requestedWidth
                        target.initialize(repeating: sourceRow[firstColumn], count: leftPad)
                        (target + leftPad).initialize(from: sourceRow + max(x, 0), count: inside)
                        let filled = leftPad + inside
                        (target + filled).initialize(repeating: sourceRow[width - 1], count: requestedWidth - filled)
                    }
                }
            }
            initialized = count
        }
    }
}
