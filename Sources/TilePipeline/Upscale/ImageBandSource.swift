public import Foundation
public import ImageIO
import Synchronization

/// An image file as a ``TileSource``: rows are decoded from the top as tiles ask for them, and
/// only a band of them is kept, so memory stays bounded for any image size. Tiles get the
/// image's colour channels, as ``ImageTileSource`` gives them; ``UpscaleSink`` reads the alpha
/// channel through ``plane(channel:x:y:width:height:)``.
///
/// The band is sized from the plan for a ``TileScheduler`` that keeps `rowsAhead` tile rows
/// queued beyond the first unfinished one: every row from the top of one tile row's windows to
/// the bottom of the windows `rowsAhead` rows below, plus a margin and a block of stitched rows
/// of slack (a split tile's windows, the sink's alpha rows), and only the columns the windows
/// reach. Rows above a preview region are decoded and dropped; rows below it are never decoded.
/// A request for rows already dropped, which the scheduler's order never makes, decodes the
/// file again from the top (see ``restarts``): slow, but never wrong.
///
/// How much of the file streams is ``ImageRowReader``'s to say (interlaced PNG, tiled TIFF and
/// turned images, among others, are decoded whole). Workers read concurrently: one lock guards
/// the decoder and the band, and decoding happens under it.
public final class ImageBandSource: TileSource {
    public let width: Int
    public let height: Int
    /// The planes a tile gets: 3 (RGB) or 1 (grey), as for ``ImageTileSource``.
    public let channels: Int
    /// The file's layout, alpha included.
    public let layout: PixelLayout
    public let iccProfile: Data?
    private let state: Mutex<State>

    /// Rows decoded per read while filling the band, which bounds the decoder's temporary copy.
    private static let chunkRows = 64

    /// - Parameters:
    ///   - reader: the opened file, at its first row.
    ///   - channels: what the model takes: 3 (RGB) or 1 (grey).
    ///   - plan: the tiles that will read this source.
    ///   - rowsAhead: the scheduler's ``TileScheduler/rowsAhead``.
    public init(reader: sending ImageRowReader, channels: Int = 3, plan: TilePlan, rowsAhead: Int) {
        let info = reader.info
        width = info.width
        height = info.height
        self.channels = channels
        layout = info.layout
        iccProfile = info.iccProfile
        let extent = Self.extent(of: plan, rowsAhead: rowsAhead, width: info.width, height: info.height)
        state = Mutex(State(
            reader: reader, band: RowBand(layout: info.layout, columns: extent.columns, capacity: extent.rows)))
    }

    /// How many times the file was decoded again from the top for rows already dropped: 0 when
    /// tiles are read in the scheduler's order.
    public var restarts: Int { state.withLock { $0.restarts } }

    public func planes(x: Int, y: Int, width requestedWidth: Int, height requestedHeight: Int) throws -> [Float] {
        guard requestedWidth > 0, requestedHeight > 0 else { return [] }
        let (pixels, left, top) = try self.pixels(x: x, y: y, width: requestedWidth, height: requestedHeight)
        return pixels.modelPlanes(count: channels, x: x - left, y: y - top, width: requestedWidth, height: requestedHeight)
    }

    /// Channel `channel` (of ``layout``, alpha included) of the rectangle as floats in [0, 1], edge
    /// pixels repeated past the border, as ``Image/plane(channel:x:y:width:height:)`` gives it.
    public func plane(channel: Int, x: Int, y: Int, width requestedWidth: Int, height requestedHeight: Int) throws -> [Float] {
        guard requestedWidth > 0, requestedHeight > 0 else { return [] }
        let (pixels, left, top) = try self.pixels(x: x, y: y, width: requestedWidth, height: requestedHeight)
        return pixels.plane(channel: channel, x: x - left, y: y - top, width: requestedWidth, height: requestedHeight)
    }

    /// The image's pixels under the rectangle, clamped to the image (so that the copy's edges
    /// repeat as the image's do), and where the copy starts.
    private func pixels(x: Int, y: Int, width requestedWidth: Int, height requestedHeight: Int) throws
        -> (image: Image, left: Int, top: Int)
    {
        let rows = Self.covered(from: y, count: requestedHeight, extent: height)
        let columns = Self.covered(from: x, count: requestedWidth, extent: width)
        let image = try state.withLock { state in try state.pixels(rows: rows, columns: columns) }
        return (image, columns.lowerBound, rows.lowerBound)
    }

    /// The part of [start, start + count) inside [0, extent), or the nearest edge pixel when none is.
    private static func covered(from start: Int, count: Int, extent: Int) -> Range<Int> {
        let low = min(max(start, 0), extent - 1)
        return low..<max(min(start + count, extent), low + 1)
    }

    /// The rows and columns the band keeps for `plan`, as the type describes.
    private static func extent(of plan: TilePlan, rowsAhead: Int, width: Int, height: Int)
        -> (rows: Int, columns: Range<Int>)
    {
        let slack = plan.margin + plan.multipleOf
        let rowTops = stride(from: 0, to: plan.tiles.count, by: plan.columnCount).map { plan.tiles[$0].window.y }
        // The sink's alpha for a block of stitched rows reaches a block (in input rows, at most
        // that many) and one interpolation row above the first unfinished tile row.
        let above = slack + Stitcher.defaultBlockRows + 1
        let rows = rowTops.indices.map { row in
            let bottom = min(rowTops[min(row + max(rowsAhead, 0), rowTops.count - 1)] + plan.windowHeight, height)
            return bottom - max(rowTops[row] - above, 0)
        }.max() ?? height
        let windows = plan.tiles.prefix(plan.columnCount).map(\.window)
        let left = max((windows.map(\.x).min() ?? 0) - slack, 0)
        let right = min((windows.map(\.maxX).max() ?? width) + slack, width)
        return (min(max(rows, 1), height), left..<max(right, left + 1))
    }

    /// The reader and the rows it has delivered, guarded together.
    private struct State {
        var reader: ImageRowReader
        var band: RowBand
        var restarts = 0

        /// `rows` × `columns` of the image, decoding down to the last of `rows` first.
        mutating func pixels(rows: Range<Int>, columns: Range<Int>) throws -> Image {
            let fits = rows.lowerBound >= band.first && rows.count <= band.capacity
                && columns.lowerBound >= band.columns.lowerBound && columns.upperBound <= band.columns.upperBound
            if !fits { try restart(widenedFor: rows, columns: columns) }
            while band.end < rows.upperBound {
                // Rows above the band's reach once `rows` is in are decoded and dropped unkept.
                let kept = rows.upperBound - band.capacity
                if band.end < kept {
                    try reader.skip(rows: kept - band.end)
                    band.skip(to: kept)
                } else {
                    let count = min(rows.upperBound - band.end, ImageBandSource.chunkRows)
                    band.append(try reader.read(rows: count, columns: band.columns))
                }
            }
            return try band.image(rows: rows, columns: columns)
        }

        /// Opens the file again with a band that holds `rows` and `columns` too.
        private mutating func restart(widenedFor rows: Range<Int>, columns: Range<Int>) throws {
            reader = try ImageRowReader(reader.url, maxPixels: reader.maxPixels)
            let wider = min(columns.lowerBound, band.columns.lowerBound)..<max(columns.upperBound, band.columns.upperBound)
            band = RowBand(layout: band.layout, columns: wider, capacity: max(band.capacity, rows.count))
            restarts += 1
        }
    }
}

/// Rows [``first``, ``end``) of an image, ``columns`` of each, in a ring of ``capacity`` rows:
/// row r sits in slot r mod capacity.
private struct RowBand {
    let layout: PixelLayout
    let columns: Range<Int>
    let capacity: Int
    /// The first row held; rows from ``end`` on are still to be decoded.
    private(set) var first = 0
    private(set) var end = 0
    /// The ring, in the sample type of the layout's bit depth (the other stays empty).
    private var ring8: [UInt8] = []
    private var ring16: [UInt16] = []

    init(layout: PixelLayout, columns: Range<Int>, capacity: Int) {
        self.layout = layout
        self.columns = columns
        self.capacity = capacity
        let count = capacity * columns.count * layout.channels
        if layout.bitDepth == 16 { ring16 = [UInt16](repeating: 0, count: count) } else { ring8 = [UInt8](repeating: 0, count: count) }
    }

    private var rowSamples: Int { columns.count * layout.channels }

    /// Moves past rows that were decoded without being kept.
    mutating func skip(to row: Int) {
        first = row
        end = row
    }

    /// Adds the rows below ``end``, `columns` wide, dropping the oldest beyond ``capacity``.
    mutating func append(_ rows: Image) {
        switch rows.samples {
        case .uint8(let values): Self.store(values, rows: rows.height, at: end, width: rowSamples, capacity: capacity, in: &ring8)
        case .uint16(let values): Self.store(values, rows: rows.height, at: end, width: rowSamples, capacity: capacity, in: &ring16)
        }
        end += rows.height
        first = max(first, end - capacity)
    }

    /// `rows` × `columns` (within the band) as an image.
    func image(rows: Range<Int>, columns wanted: Range<Int>) throws -> Image {
        let offset = (wanted.lowerBound - columns.lowerBound) * layout.channels
        let length = wanted.count * layout.channels
        func gather<Sample>(_ ring: [Sample]) -> [Sample] {
            var values: [Sample] = []
            values.reserveCapacity(rows.count * length)
            for row in rows {
                let start = row % capacity * rowSamples + offset
                values += ring[start..<start + length]
            }
            return values
        }
        if layout.bitDepth == 16 {
            return try Image(width: wanted.count, height: rows.count, layout: layout, samples16: gather(ring16))
        }
        return try Image(width: wanted.count, height: rows.count, layout: layout, samples8: gather(ring8))
    }

    private static func store<Sample>(
        _ values: [Sample], rows: Int, at firstRow: Int, width: Int, capacity: Int, in ring: inout [Sample]
    ) {
        for row in 0..<rows {
            let slot = (firstRow + row) % capacity * width
            ring[slot..<slot + width] = values[row * width..<(row + 1) * width]
        }
    }
}
