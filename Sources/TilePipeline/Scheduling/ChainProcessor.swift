public import TensorCore

/// Several models in sequence on every tile (an upscaler, then a denoiser, say), each keeping
/// its session loaded for the whole run; the intermediate result never leaves the tile.
///
/// Scales multiply. The margin is what the first model needs plus what each later one needs,
/// converted to input pixels (divided by the scale before it, rounded up), so a tile carries
/// enough context for the whole chain.
public struct ChainProcessor: TileProcessor {
    public let stages: [any TileProcessor]

    /// - Throws: ``TilingError/emptyChain`` when `stages` is empty.
    public init(_ stages: [any TileProcessor]) throws(TilingError) {
        guard !stages.isEmpty else { throw .emptyChain }
        self.stages = stages
    }

    public var scale: Int { stages.reduce(1) { $0 * $1.scale } }

    public var margin: Int { Self.margin(of: stages.map { (scale: $0.scale, margin: $0.margin) }) }

    /// The margin, in input pixels, that a chain of models with these scales and margins needs.
    public static func margin(of stages: [(scale: Int, margin: Int)]) -> Int {
        var margin = 0
        var scaleSoFar = 1
        for stage in stages {
            margin += (stage.margin + scaleSoFar - 1) / scaleSoFar
            scaleSoFar *= stage.scale
        }
        return margin
    }

    public var label: String { stages.map(\.label).joined(separator: " → ") }

    public func feeding(_ values: [String: Tensor]) -> any TileProcessor {
        // Every stage keeps the names it has; stages are never empty, so this cannot throw.
        (try? ChainProcessor(stages.map { $0.feeding(values) })) ?? self
    }

    public func process(batch: Tensor) throws -> Tensor {
        var current = batch
        for stage in stages { current = try stage.process(batch: current) }
        return current
    }
}
