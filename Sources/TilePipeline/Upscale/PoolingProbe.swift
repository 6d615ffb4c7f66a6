import Foundation
import ImageIO
import InferenceRuntime
import TensorCore

/// Finds the values a ``GlobalPooling`` model pools to on a whole image: its probe model run once
/// on the image reduced (by whole-pixel area averaging) until it fits one tile, as the tiles
/// themselves would be cut and padded.
struct PoolingProbe: Sendable {
    /// A session of ``GlobalPooling/probe``.
    let session: any Session
    let inputName: String
    /// The pooled outputs the tiles' models take as inputs.
    let valueNames: [String]
    /// What the model crops from each side (the manifest's `tiling.border`), given back by mirroring.
    let border: Int

    /// The tiling the reduced image is cut by: one tile of at most `tile` pixels a side.
    struct Tiling: Sendable {
        var tile: Int
        var margin: Int
        var multipleOf: Int
        var scale: Int
        var minTile: Int?
        var maxTile: Int?
    }

    /// The pooled values for the image in `input`, decoded again from the top in bands of rows
    /// (the tiles' own reading is not disturbed), `[1, C, 1, 1]` each by name.
    func values(reading input: URL, maxPixels: Int, channels: Int, tiling: Tiling) throws -> [String: Tensor] {
        let reader = try ImageRowReader(input, maxPixels: maxPixels)
        let width = reader.info.width
        let reduced = try ReducedImage.reducing(width: width, height: reader.info.height, channels: channels, limit: tiling.tile) {
            _, count in try reader.read(rows: count).modelPlanes(count: channels, x: 0, y: 0, width: width, height: count)
        }
        return try values(of: reduced, tiling: tiling)
    }

    /// The pooled values for an image already in memory.
    func values(of source: any TileSource, tiling: Tiling) throws -> [String: Tensor] {
        let reduced = try ReducedImage.reducing(
            width: source.width, height: source.height, channels: source.channels, limit: tiling.tile
        ) { row, count in try source.planes(x: 0, y: row, width: source.width, height: count) }
        return try values(of: reduced, tiling: tiling)
    }

    private func values(of image: PlanarImage, tiling: Tiling) throws -> [String: Tensor] {
        let plan = try TilePlan(
            imageWidth: image.width, imageHeight: image.height, tileWidth: tiling.tile, tileHeight: tiling.tile,
            margin: tiling.margin, multipleOf: tiling.multipleOf, scale: tiling.scale, minTile: tiling.minTile,
            maxTile: tiling.maxTile)
        let window = plan.tiles[0].window
        let batch = try Tensor(
            shape: [1, image.channels, window.height, window.width],
            scalars: try image.planes(x: window.x, y: window.y, width: window.width, height: window.height))
        let outputs = try session.run([inputName: border > 0 ? try MirrorPad.padded(batch, border: border) : batch])
        var values: [String: Tensor] = [:]
        for name in valueNames {
            guard let value = outputs[name] else {
                throw TilingError.missingTensor(role: "pooled output", name: name, available: outputs.keys.sorted())
            }
            values[name] = value
        }
        return values
    }
}

/// An image reduced by a whole factor, the smallest that brings both sides to `limit` or less,
/// each pixel the mean of the block it covers (blocks at the right and bottom edges may be partial).
struct ReducedImage {
    let width: Int
    let height: Int
    let channels: Int
    let factor: Int
    private let sourceWidth: Int
    private var sums: [Double]
    private var counts: [Int]

    init(width sourceWidth: Int, height sourceHeight: Int, channels: Int, limit: Int) {
        let longest = max(sourceWidth, sourceHeight)
        factor = max(1, (longest + max(limit, 1) - 1) / max(limit, 1))
        self.sourceWidth = sourceWidth
        width = (sourceWidth + factor - 1) / factor
        height = (sourceHeight + factor - 1) / factor
        self.channels = channels
        sums = [Double](repeating: 0, count: channels * width * height)
        counts = [Int](repeating: 0, count: width * height)
    }

    /// Adds rows `firstRow ..< firstRow + rows` of the source, planar (CHW) over its full width.
    mutating func add(_ planes: [Float], firstRow: Int, rows: Int) {
        for y in 0..<rows {
            let target = (firstRow + y) / factor * width
            for x in 0..<sourceWidth { counts[target + x / factor] += 1 }
            for channel in 0..<channels {
                let source = (channel * rows + y) * sourceWidth
                let plane = channel * width * height + target
                for x in 0..<sourceWidth { sums[plane + x / factor] += Double(planes[source + x]) }
            }
        }
    }

    /// The reduced image of a source read from the top in bands: `band(firstRow, rows)` gives
    /// those rows, planar over the full width.
    static func reducing(
        width: Int, height: Int, channels: Int, limit: Int, band: (Int, Int) throws -> [Float]
    ) throws -> PlanarImage {
        var reduced = ReducedImage(width: width, height: height, channels: channels, limit: limit)
        var row = 0
        while row < height {
            let count = min(64, height - row)
            reduced.add(try band(row, count), firstRow: row, rows: count)
            row += count
        }
        return try reduced.image()
    }

    func image() throws(TilingError) -> PlanarImage {
        let values = sums.indices.map { index in Float(sums[index] / Double(max(counts[index % (width * height)], 1))) }
        return try PlanarImage(width: width, height: height, channels: channels, values: values)
    }
}
