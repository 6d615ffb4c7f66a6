/// How an image (or a preview region of it) is cut into overlapping tiles for a model.
///
/// Every tile has a *window*, the input the model sees, and a *core*, the part of the region
/// whose output it provides. Cores partition the region. A core lies at least `margin` pixels
/// inside its window, except where the window touches the image's edge, so a model whose
/// receptive field fits in the margin gives exactly the whole-image output there.
///
/// Windows all have the same size: a tile at the right or bottom border is shifted inward
/// instead of shrunk, which lets tiles batch together, keeps the libraries' per-shape caches
/// warm, and makes border pixels see the true image edge, as whole-image inference does. Window
/// sizes and positions are multiples of `multipleOf`; the image is treated as padded (by edge
/// replication) to a multiple of it, and to at least `minTile`, and the output is cropped back.
///
/// ```swift
/// let plan = try TilePlan(imageWidth: 1920, imageHeight: 1080, tileWidth: 256, margin: 10, scale: 4)
/// print(plan.tiles.count, plan.windowWidth)   // 40 276
/// ```
public struct TilePlan: Sendable, Hashable {
    /// One tile: where its input comes from and which output it owns.
    public struct Tile: Sendable, Hashable {
        /// Position in ``TilePlan/tiles`` (row-major).
        public var index: Int
        public var row: Int
        public var column: Int
        /// The model's input, in image coordinates, inside the padded image.
        public var window: PixelRect
        /// The part of the region this tile's output covers in crop mode.
        public var core: PixelRect
    }

    public let imageWidth: Int
    public let imageHeight: Int
    /// The part of the image whose output is produced; the whole image unless a preview region was given.
    public let region: PixelRect
    /// Requested core size (before the window adds margins and rounds up to `multipleOf`).
    public let tileWidth: Int
    public let tileHeight: Int
    /// Context each window carries around its core, in input pixels.
    public let margin: Int
    /// Model inputs must have sides that are multiples of this.
    public let multipleOf: Int
    /// Output pixels per input pixel along each axis.
    public let scale: Int
    public let minTile: Int?
    public let maxTile: Int?
    /// The image's size after edge-replication padding: windows never reach beyond it.
    public let paddedWidth: Int
    public let paddedHeight: Int
    public let columnCount: Int
    public let rowCount: Int
    /// Every tile, row by row, left to right.
    public let tiles: [Tile]
    /// The size of every window.
    public let windowWidth: Int
    public let windowHeight: Int

    /// Plans tiles over the image, or over `region` of it.
    /// - Parameters:
    ///   - region: a preview area; only it is produced, with context taken from the image around it.
    ///   - tileWidth, tileHeight: the core size wanted; `tileHeight` defaults to `tileWidth`.
    ///     Images smaller than a tile become one tile of the image's size.
    ///   - margin: context pixels the model needs on each side (its receptive radius).
    ///   - multipleOf: model input sides must be multiples of this.
    ///   - scale: the model's integer upscaling factor.
    ///   - minTile, maxTile: the smallest and largest window side the model accepts.
    /// - Throws: ``TilingError`` for an empty image, a region outside it, or parameters out of range.
    public init(
        imageWidth: Int, imageHeight: Int, region: PixelRect? = nil, tileWidth: Int, tileHeight: Int? = nil,
        margin: Int, multipleOf: Int = 1, scale: Int = 1, minTile: Int? = nil, maxTile: Int? = nil
    ) throws(TilingError) {
        guard imageWidth > 0, imageHeight > 0 else { throw .emptyImage(width: imageWidth, height: imageHeight) }
        let region = region ?? PixelRect(x: 0, y: 0, width: imageWidth, height: imageHeight)
        guard !region.isEmpty, PixelRect(x: 0, y: 0, width: imageWidth, height: imageHeight).contains(region) else {
            throw .regionOutsideImage(region: region, width: imageWidth, height: imageHeight)
        }
        let tileHeight = tileHeight ?? tileWidth
        try Self.require(tileWidth >= 1, "tile width", tileWidth, "at least 1")
        try Self.require(tileHeight >= 1, "tile height", tileHeight, "at least 1")
        try Self.require(margin >= 0, "margin", margin, "0 or more")
        try Self.require(multipleOf >= 1, "multipleOf", multipleOf, "at least 1")
        try Self.require(scale >= 1, "scale", scale, "at least 1")
        if let minTile { try Self.require(minTile >= 1, "minTile", minTile, "at least 1") }
        if let maxTile { try Self.require(maxTile >= (minTile ?? 1), "maxTile", maxTile, "at least minTile") }

        let k = multipleOf
        let floor = Self.roundUp(minTile ?? 1, to: k)
        paddedWidth = max(Self.roundUp(imageWidth, to: k), floor)
        paddedHeight = max(Self.roundUp(imageHeight, to: k), floor)
        let limits = AxisLimits(margin: margin, multipleOf: k, minTile: minTile, maxTile: maxTile)
        let columns = try AxisPlan(extent: paddedWidth, start: region.x, end: region.maxX, core: tileWidth, limits: limits)
        let rows = try AxisPlan(extent: paddedHeight, start: region.y, end: region.maxY, core: tileHeight, limits: limits)

        var tiles: [Tile] = []
        tiles.reserveCapacity(columns.spans.count * rows.spans.count)
        for (rowIndex, row) in rows.spans.enumerated() {
            for (columnIndex, column) in columns.spans.enumerated() {
                tiles.append(Tile(
                    index: tiles.count, row: rowIndex, column: columnIndex,
                    window: PixelRect(x: column.origin, y: row.origin, width: columns.window, height: rows.window),
                    core: PixelRect(
                        x: column.coreStart, y: row.coreStart, width: column.coreEnd - column.coreStart,
                        height: row.coreEnd - row.coreStart)))
            }
        }
        self.imageWidth = imageWidth
        self.imageHeight = imageHeight
        self.region = region
        self.tileWidth = tileWidth
        self.tileHeight = tileHeight
        self.margin = margin
        self.multipleOf = k
        self.scale = scale
        self.minTile = minTile
        self.maxTile = maxTile
        self.columnCount = columns.spans.count
        self.rowCount = rows.spans.count
        self.windowWidth = columns.window
        self.windowHeight = rows.window
        self.tiles = tiles
    }

    /// Output pixels across: the region's width times the scale.
    public var outputWidth: Int { region.width * scale }
    /// Output rows: the region's height times the scale.
    public var outputHeight: Int { region.height * scale }

    /// A plan with the same image, margin, scale and size rules over `area` (a tile's core, say),
    /// with windows no larger than the given limits: how a tile is split after an out-of-memory error.
    /// - Throws: ``TilingError/windowTooSmall(limit:margin:multipleOf:)`` when a window of that size
    ///   cannot hold the margins and a core.
    public func subdivided(_ area: PixelRect, maxWindowWidth: Int, maxWindowHeight: Int) throws(TilingError) -> TilePlan {
        let widthLimit = maxWindowWidth / multipleOf * multipleOf
        let heightLimit = maxWindowHeight / multipleOf * multipleOf
        let smaller = min(widthLimit, heightLimit)
        guard smaller - 2 * margin >= multipleOf, smaller >= (minTile ?? 1) else {
            throw .windowTooSmall(limit: smaller, margin: margin, multipleOf: multipleOf)
        }
        return try TilePlan(
            imageWidth: imageWidth, imageHeight: imageHeight, region: area, tileWidth: widthLimit - 2 * margin,
            tileHeight: heightLimit - 2 * margin, margin: margin, multipleOf: multipleOf, scale: scale, minTile: minTile,
            maxTile: maxTile)
    }

    static func roundUp(_ value: Int, to multiple: Int) -> Int {
        (value + multiple - 1) / multiple * multiple
    }

    private static func require(_ condition: Bool, _ name: String, _ value: Int, _ reason: String) throws(TilingError) {
        guard condition else { throw .invalidParameter(name: name, value: value, reason: reason) }
    }
}
