import Foundation

/// How overlapping tile outputs are combined.
public enum StitchMode: String, Sendable, Hashable, CaseIterable {
    /// Keep each tile's core and drop its margins: the whole-image output exactly, wherever the
    /// model's receptive field fits in the margin.
    case crop
    /// Keep each tile's whole window, weighted by a raised-cosine ramp that falls to zero over
    /// the overlap towards every edge shared with a neighbour, and normalise: softens the seams
    /// of models whose receptive field exceeds the margin. The ramp also takes in pixels within
    /// the margin of a window's edge, so for a model whose receptive field fits the margin,
    /// `crop` is exact and `blend` is not.
    case blend
}

/// A tile's output prepared for the stitcher: the part of the model's output that covers the
/// tile's footprint, with the blend weights of its rows and columns. Planar, where the model
/// wrote it: the stitcher interleaves it into its row blocks (HWC, as the sink wants rows) as it
/// copies, so the output is copied once on its way to the file.
public struct TileContribution: Sendable {
    public var tile: TilePlan.Tile
    /// Where the values go, in output pixels, relative to the plan's output.
    public var rect: PixelRect
    /// `rect`'s pixels.
    public var output: PlanarRegion
    /// Blend mode: the weight of each row and each column of `rect`, multiplied; empty when cropping.
    public var rowWeights: [Float]
    public var columnWeights: [Float]

    public var channels: Int { output.channels }
}

/// The geometry of stitching a plan in one mode: what part of each tile's output is kept and
/// with what weight. A value type, so workers prepare contributions on their own threads.
public struct StitchLayout: Sendable {
    public let plan: TilePlan
    public let mode: StitchMode
    /// Blend mode: per column (row) of tiles, the normalised weight of each output column (row)
    /// of its footprint. The grid is a product of the two axes, so the weights of all tiles
    /// covering a pixel, products of the two, sum to one.
    private let columnWeights: [[Float]]
    private let rowWeights: [[Float]]

    public init(plan: TilePlan, mode: StitchMode) {
        self.plan = plan
        self.mode = mode
        guard mode == .blend else {
            columnWeights = []
            rowWeights = []
            return
        }
        let columnOrigins = plan.tiles.prefix(plan.columnCount).map(\.window.x)
        let rowOrigins = stride(from: 0, to: plan.tiles.count, by: plan.columnCount).map { plan.tiles[$0].window.y }
        columnWeights = Self.weights(
            origins: columnOrigins, window: plan.windowWidth, extent: plan.paddedWidth,
            start: plan.region.x, end: plan.region.maxX, scale: plan.scale, margin: plan.margin)
        rowWeights = Self.weights(
            origins: rowOrigins, window: plan.windowHeight, extent: plan.paddedHeight,
            start: plan.region.y, end: plan.region.maxY, scale: plan.scale, margin: plan.margin)
    }

    /// The input pixels whose output `tile` contributes: its core when cropping, its whole
    /// window within the region when blending.
    public func footprint(of tile: TilePlan.Tile) -> PixelRect {
        switch mode {
        case .crop: tile.core
        case .blend: tile.window.intersection(plan.region) ?? tile.core
        }
    }

    /// Where `tile`'s contribution lands in the output.
    public func outputRect(of tile: TilePlan.Tile) -> PixelRect {
        footprint(of: tile).offset(dx: -plan.region.x, dy: -plan.region.y).scaled(by: plan.scale)
    }

    /// Pairs the model's output for `tile`'s footprint (planar, footprint × scale) with its weights.
    /// - Throws: ``TilingError/valueCountMismatch(what:expected:actual:)`` when `output` has the wrong size.
    public func contribution(of tile: TilePlan.Tile, output: PlanarRegion) throws(TilingError) -> TileContribution {
        let rect = outputRect(of: tile)
        guard output.width == rect.width, output.height == rect.height else {
            throw .valueCountMismatch(
                what: "tile \(tile.index)'s output (\(output.width)x\(output.height))", expected: rect.area,
                actual: output.width * output.height)
        }
        return TileContribution(
            tile: tile, rect: rect, output: output, rowWeights: mode == .blend ? rowWeights[tile.row] : [],
            columnWeights: mode == .blend ? columnWeights[tile.column] : [])
    }

    /// Per window along one axis, the normalised weights of the output pixels its footprint covers.
    ///
    /// A window's raw weight falls from 1 to 0 as a raised cosine over the last `2 × margin`
    /// output-scaled pixels before each edge it shares with a neighbour (edges on the padded
    /// image's border keep weight 1). The core stays at least `margin` from such an edge, so
    /// every pixel has a raw weight of at least one half from some window and the sum never vanishes.
    private static func weights(
        origins: [Int], window: Int, extent: Int, start: Int, end: Int, scale: Int, margin: Int
    ) -> [[Float]] {
        let ramp = Double(2 * margin * scale)
        var raw: [[Double]] = []
        var total = [Double](repeating: 0, count: (end - start) * scale)
        for origin in origins {
            let first = max(origin, start) * scale
            let last = min(origin + window, end) * scale
            let values = (first..<last).map { position -> Double in
                var distance = Double.infinity
                if origin > 0 { distance = min(distance, Double(position - origin * scale)) }
                if origin + window < extent { distance = min(distance, Double((origin + window) * scale - 1 - position)) }
                guard ramp > 0, distance.isFinite else { return 1 }
                let phase = Double.pi / 2 * min(1, (distance + 0.5) / ramp)
                return sin(phase) * sin(phase)
            }
            for (offset, value) in values.enumerated() { total[first - start * scale + offset] += value }
            raw.append(values)
        }
        return zip(origins, raw).map { origin, values in
            let first = max(origin, start) * scale - start * scale
            return values.enumerated().map { offset, value in Float(value / total[first + offset]) }
        }
    }
}
