/// Assembles tile contributions into output rows, interleaving their planar values (HWC), and
/// hands finished rows to a ``BandSink``, strictly top to bottom, as soon as no tile still to come
/// can touch them.
///
/// Output is buffered in blocks of `blockRows` rows, allocated when a tile first writes to them
/// and released when written to the sink, so memory holds only the rows between the first
/// unfinished tile row and the lowest tile that has arrived: about two tile rows of output when
/// the scheduler keeps one row of tiles ahead. ``peakBufferedBytes`` records the high-water mark.
///
/// Not thread-safe: one task feeds it (the scheduler's coordinator).
public final class Stitcher {
    public let layout: StitchLayout
    /// Rows per buffered block and per ``BandSink/write(rows:rowCount:)`` call (the last may be shorter).
    public let blockRows: Int
    private let sink: any BandSink
    private var blocks: [Int: [Float]] = [:]
    private var nextBlock = 0
    private var channels: Int?
    private var stitched: [Bool]
    private var tilesLeftInRow: [Int]
    /// Per tile row, the first output row its contributions touch.
    private let rowStarts: [Int]
    private var bufferedRows = 0

    /// The first tile row with tiles still missing; ``TilePlan/rowCount`` once all have arrived.
    public private(set) var firstIncompleteRow = 0
    /// Output rows written to the sink so far.
    public private(set) var rowsEmitted = 0
    /// The most output bytes held at once.
    public private(set) var peakBufferedBytes = 0
    /// The most output rows held at once.
    public private(set) var peakBufferedRows = 0

    /// Rows per block unless the caller chooses.
    public static let defaultBlockRows = 16

    public init(layout: StitchLayout, sink: any BandSink, blockRows: Int = defaultBlockRows) {
        let plan = layout.plan
        self.layout = layout
        self.sink = sink
        self.blockRows = max(1, blockRows)
        stitched = [Bool](repeating: false, count: plan.tiles.count)
        tilesLeftInRow = [Int](repeating: plan.columnCount, count: plan.rowCount)
        rowStarts = stride(from: 0, to: plan.tiles.count, by: plan.columnCount).map { layout.outputRect(of: plan.tiles[$0]).y }
    }

    /// Whether every output row has been written to the sink.
    public var isComplete: Bool { rowsEmitted == layout.plan.outputHeight }

    /// The output's channel count, known once the first tile has arrived.
    public var outputChannels: Int? { channels }

    /// Adds a tile's contribution, then writes every row that is now final to the sink.
    /// - Throws: ``TilingError`` for a contribution that does not fit (a second copy of a tile,
    ///   another channel count, rows already written), or whatever the sink throws.
    public func add(_ contribution: TileContribution) throws {
        let plan = layout.plan
        let index = contribution.tile.index
        guard index >= 0, index < stitched.count, !stitched[index] else { throw TilingError.duplicateTile(index) }
        let channels = self.channels ?? contribution.channels
        guard contribution.channels == channels else {
            throw TilingError.channelMismatch(expected: channels, actual: contribution.channels)
        }
        let rect = contribution.rect
        let output = contribution.output
        let blend = layout.mode == .blend
        guard output.width == rect.width, output.height == rect.height,
            !blend || (contribution.rowWeights.count == rect.height && contribution.columnWeights.count == rect.width)
        else {
            throw TilingError.valueCountMismatch(
                what: "tile \(index)'s contribution", expected: rect.area, actual: output.width * output.height)
        }
        guard rect.y >= nextBlock * blockRows else { throw TilingError.rowsAlreadyEmitted(tile: index, row: rect.y) }
        self.channels = channels
        stitched[index] = true

        let rowFloats = plan.outputWidth * channels
        for blockIndex in (rect.y / blockRows)...((rect.maxY - 1) / blockRows) {
            let blockStart = blockIndex * blockRows
            var block = blocks.removeValue(forKey: blockIndex) ?? allocate(rows: blockRowCount(blockIndex), floats: rowFloats)
            let first = max(rect.y, blockStart)
            let last = min(rect.maxY, blockStart + blockRows)
            try block.withUnsafeMutableBufferPointer { target in
                try output.withUnsafePlanes { source, planeStride, rowStride in
                    guard let target = target.baseAddress else { return }
                    for row in first..<last {
                        let y = row - rect.y
                        let to = target + (row - blockStart) * rowFloats + rect.x * channels
                        let from = source + y * rowStride
                        if blend {
                            // Cores overlap: weighted sums.
                            let rowWeight = contribution.rowWeights[y]
                            for channel in 0..<channels {
                                let plane = from + channel * planeStride
                                for x in 0..<rect.width {
                                    to[x * channels + channel] += plane[x] * rowWeight * contribution.columnWeights[x]
                                }
                            }
                        } else {
                            Self.interleave(from, planeStride: planeStride, channels: channels, count: rect.width, into: to)
                        }
                    }
                }
            }
            blocks[blockIndex] = block
        }

        tilesLeftInRow[contribution.tile.row] -= 1
        while firstIncompleteRow < plan.rowCount, tilesLeftInRow[firstIncompleteRow] == 0 { firstIncompleteRow += 1 }
        try emitFinishedRows()
    }

    /// Writes every block that lies above the first row a missing tile could still touch.
    private func emitFinishedRows() throws {
        let plan = layout.plan
        let final = firstIncompleteRow < plan.rowCount ? rowStarts[firstIncompleteRow] : plan.outputHeight
        let rowFloats = plan.outputWidth * (channels ?? 0)
        while nextBlock * blockRows < plan.outputHeight {
            let rows = blockRowCount(nextBlock)
            guard nextBlock * blockRows + rows <= final else { return }
            let block = blocks.removeValue(forKey: nextBlock) ?? allocate(rows: rows, floats: rowFloats)
            bufferedRows -= rows
            nextBlock += 1
            try sink.write(rows: block, rowCount: rows)
            rowsEmitted += rows
        }
    }

    /// One row of `count` pixels from `channels` planes into interleaved pixels (cores never
    /// overlap, so this overwrites). Three channels, the usual case, get their own loop.
    private static func interleave(
        _ planes: UnsafePointer<Float>, planeStride: Int, channels: Int, count: Int, into target: UnsafeMutablePointer<Float>
    ) {
        if channels == 3 {
            let (red, green, blue) = (planes, planes + planeStride, planes + 2 * planeStride)
            for x in 0..<count {
                target[3 * x] = red[x]
                target[3 * x + 1] = green[x]
                target[3 * x + 2] = blue[x]
            }
            return
        }
        for channel in 0..<channels {
            let plane = planes + channel * planeStride
            for x in 0..<count { target[x * channels + channel] = plane[x] }
        }
    }

    private func blockRowCount(_ index: Int) -> Int {
        min(blockRows, layout.plan.outputHeight - index * blockRows)
    }

    private func allocate(rows: Int, floats rowFloats: Int) -> [Float] {
        bufferedRows += rows
        peakBufferedRows = max(peakBufferedRows, bufferedRows)
        peakBufferedBytes = max(peakBufferedBytes, bufferedRows * rowFloats * MemoryLayout<Float>.size)
        return [Float](repeating: 0, count: rows * rowFloats)
    }
}
