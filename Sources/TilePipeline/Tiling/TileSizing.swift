public import ONNXModel

/// Picks tile sizes when the user gives none: from the device's memory and the model's
/// activation memory per pixel, and from the host memory the stitcher may hold.
public enum TileSizing {
    /// An estimate of the device memory the model needs per input pixel: the largest amount any
    /// one node reads and writes at once (weights excluded), found by shape inference at a
    /// `probe` × `probe` input and divided by its area.
    /// - Throws: ``TilingError/cannotEstimate(reason:)`` when the model's shapes cannot be inferred.
    public static func bytesPerInputPixel(of model: Model, channels: Int = 3, probe: Int = 64) throws(TilingError) -> Int {
        guard let input = model.graph.runtimeInputs.first else { throw .cannotEstimate(reason: "the model has no input") }
        let types: InferredTypes
        do {
            types = try model.inferTypes(inputShapes: [input.name: [1, .value(channels), .value(probe), .value(probe)]])
        } catch {
            throw .cannotEstimate(reason: "shape inference failed: \(error)")
        }
        let weights = Set(model.graph.initializers.map(\.name))
        var peak = 0
        for node in model.graph.nodes {
            var bytes = 0
            for name in Set(node.inputs + node.outputs) where !name.isEmpty && !weights.contains(name) {
                guard let type = types.values[name]?.tensorType, let element = type.elementType, let dims = type.dims else {
                    continue
                }
                let sizes = dims.compactMap(\.value)
                guard sizes.count == dims.count else { continue }
                bytes += (try? element.byteCount(forElements: sizes.reduce(1, *))) ?? 0
            }
            peak = max(peak, bytes)
        }
        guard peak > 0 else { throw .cannotEstimate(reason: "no node has a known size at a \(probe)x\(probe) input") }
        return (peak + probe * probe - 1) / (probe * probe)
    }

    /// The core side of the largest square window whose activations, `batch` tiles at a time,
    /// fit in `usableFraction` of `deviceMemoryBytes`; at least `multipleOf`, and within the
    /// model's `minTile`/`maxTile` window limits where that leaves room.
    public static func coreTileSize(
        deviceMemoryBytes: Int64, bytesPerInputPixel: Int, margin: Int, multipleOf: Int = 1, batch: Int = 1,
        usableFraction: Double = 0.5, minTile: Int? = nil, maxTile: Int? = nil
    ) -> Int {
        let k = max(1, multipleOf)
        let pixels = Double(deviceMemoryBytes) * usableFraction / Double(max(1, batch * bytesPerInputPixel))
        var window = Int(pixels.squareRoot()) / k * k
        if let maxTile { window = min(window, maxTile / k * k) }
        window = max(window, TilePlan.roundUp(max(minTile ?? 1, 2 * margin + k), to: k))
        return window - 2 * margin
    }

    /// The tallest core (a multiple of `multipleOf`) for which `rowsInFlight` tile rows of output
    /// fit in `hostBudgetBytes`: keeps the stitcher's buffer bounded for very wide outputs.
    public static func coreTileHeight(
        hostBudgetBytes: Int64, outputWidth: Int, scale: Int, channels: Int, rowsInFlight: Int = 2, multipleOf: Int = 1
    ) -> Int {
        let k = max(1, multipleOf)
        let bytesPerInputRow = Int64(max(1, outputWidth * scale * channels * MemoryLayout<Float>.size * rowsInFlight))
        return max(k, Int(hostBudgetBytes / bytesPerInputRow) / k * k)
    }
}
