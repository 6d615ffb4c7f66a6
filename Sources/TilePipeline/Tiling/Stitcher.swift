/// Assembles tile contributions into output rows and hands finished rows to a ``BandSink``,
/// strictly top to bottom, as soon as no tile still to come can touch them.
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

    public init(layout: StitchLayout, sink: any BandSink, blockRows: Int = 16) {
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
        guard contribution.values.count == rect.area * channels else {
            throw TilingError.valueCountMismatch(
                what: "tile \(index)'s contribution", expected: rect.area * channels, actual: contribution.values.count)
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
            block.withUnsafeMutableBufferPointer { target in
                contribution.values.withUnsafeBufferPointer { source in
                    guard let target = target.baseAddress, let source = source.baseAddress else { return }
                    let span = rect.width * channels
                    for row in first..<last {
                        let to = target + (row - blockStart) * rowFloats + rect.x * channels
                        let from = source + (row - rect.y) * span
                        if layout.mode == .crop {
                            to.update(from: from, count: span)  // cores never overlap
                        } else {
                            for offset in 0..<span { to[offset] += from[offset] }
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
