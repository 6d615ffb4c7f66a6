import Synchronization

/// Receives finished output rows, strictly top to bottom, as the stitcher completes them.
///
/// A run that fails or is cancelled stops writing part-way; the sink is never told the output is
/// complete, so a file-backed sink should write to a temporary file and rename it only after the
/// run returns.
public protocol BandSink: AnyObject {
    /// The next `rowCount` rows: `rowCount × width × channels` floats, each row's pixels
    /// interleaved (HWC), where `width` is the plan's output width.
    func write(rows: [Float], rowCount: Int) throws
}

/// A ``BandSink`` that collects the output in memory as a ``PlanarImage``; for tests and previews.
///
/// Safe to read from any thread while a run writes to it.
public final class PlanarImageSink: BandSink, Sendable {
    public let width: Int
    public let height: Int
    public let channels: Int
    private let state: Mutex<(values: [Float], rows: Int)>

    /// An output of `width` × `height` pixels with `channels` channels, initially zero.
    public init(width: Int, height: Int, channels: Int) {
        self.width = width
        self.height = height
        self.channels = channels
        state = Mutex((values: [Float](repeating: 0, count: max(0, width * height * channels)), rows: 0))
    }

    /// Rows received so far.
    public var rowsReceived: Int { state.withLock { $0.rows } }

    /// What has been received, rows not yet written left at zero.
    public func image() throws(TilingError) -> PlanarImage {
        try PlanarImage(width: width, height: height, channels: channels, values: state.withLock { $0.values })
    }

    public func write(rows: [Float], rowCount: Int) throws {
        let expected = rowCount * width * channels
        guard rows.count == expected else {
            throw TilingError.valueCountMismatch(what: "a band of \(rowCount) rows", expected: expected, actual: rows.count)
        }
        try state.withLock { state throws(TilingError) in
            guard state.rows + rowCount <= height else {
                throw .sinkOverflow(received: state.rows + rowCount, height: height)
            }
            for row in 0..<rowCount {
                for x in 0..<width {
                    for channel in 0..<channels {
                        state.values[(channel * height + state.rows + row) * width + x] = rows[(row * width + x) * channels + channel]
                    }
                }
            }
            state.rows += rowCount
        }
    }
}
