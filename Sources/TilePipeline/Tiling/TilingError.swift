public import TensorCore

/// Why a tile plan could not be made, or a tile's data could not be placed.
public enum TilingError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The image has no pixels.
    case emptyImage(width: Int, height: Int)
    /// The preview region is empty or reaches outside the image.
    case regionOutsideImage(region: PixelRect, width: Int, height: Int)
    /// A planning parameter is out of range; `reason` says what it must be.
    case invalidParameter(name: String, value: Int, reason: String)
    /// The largest allowed model input cannot hold the margin on both sides plus a core of at
    /// least `multipleOf` pixels.
    case windowTooSmall(limit: Int, margin: Int, multipleOf: Int)
    /// A pixel buffer holds a number of values that disagrees with its dimensions.
    case valueCountMismatch(what: String, expected: Int, actual: Int)
    /// The source's size differs from the size the plan was made for.
    case sourceMismatch(planWidth: Int, planHeight: Int, sourceWidth: Int, sourceHeight: Int)
    /// A processor returned a tensor of the wrong shape for the batch it was given.
    case outputShape(processor: String, expected: [Int], actual: [Int])
    /// A processor returned elements that are not floating point.
    case outputType(processor: String, type: DataType)
    /// A session has no input or output (`role`) of the name the processor uses.
    case missingTensor(role: String, name: String, available: [String])
    /// A worker's processor scales by a factor other than the plan's.
    case scaleMismatch(worker: String, processorScale: Int, planScale: Int)
    /// A tile's output has a channel count that differs from earlier tiles'.
    case channelMismatch(expected: Int, actual: Int)
    /// A tile's output was given to the stitcher twice.
    case duplicateTile(Int)
    /// Output arrived for rows that were already written to the sink.
    case rowsAlreadyEmitted(tile: Int, row: Int)
    /// A sink was given more rows than the output has.
    case sinkOverflow(received: Int, height: Int)
    /// A model's memory use per pixel could not be estimated.
    case cannotEstimate(reason: String)
    /// A chain of processors needs at least one model.
    case emptyChain

    public var description: String {
        switch self {
        case .emptyImage(let width, let height):
            "tiling: the image is \(width)x\(height); it needs at least one pixel"
        case .regionOutsideImage(let region, let width, let height):
            "tiling: region \(region) is empty or reaches outside the \(width)x\(height) image"
        case .invalidParameter(let name, let value, let reason):
            "tiling: \(name) \(value) is out of range: \(reason)"
        case .windowTooSmall(let limit, let margin, let multipleOf):
            "tiling: a model input of at most \(limit) pixels cannot hold a margin of \(margin) on both sides"
                + " and a core of \(multipleOf)"
        case .valueCountMismatch(let what, let expected, let actual):
            "tiling: \(what) holds \(actual) values, its dimensions need \(expected)"
        case .sourceMismatch(let planWidth, let planHeight, let sourceWidth, let sourceHeight):
            "tiling: the plan is for a \(planWidth)x\(planHeight) image, the source is \(sourceWidth)x\(sourceHeight)"
        case .outputShape(let processor, let expected, let actual):
            "tiling: \(processor) returned shape \(actual) for a batch that needs \(expected)"
        case .outputType(let processor, let type):
            "tiling: \(processor) returned \(type) elements; tiles are stitched from float32 or float16"
        case .missingTensor(let role, let name, let available):
            "tiling: the session has no \(role) '\(name)' (it has \(available.joined(separator: ", ")))"
        case .scaleMismatch(let worker, let processorScale, let planScale):
            "tiling: worker \(worker) scales by \(processorScale), the plan by \(planScale)"
        case .channelMismatch(let expected, let actual):
            "tiling: a tile's output has \(actual) channels, earlier tiles had \(expected)"
        case .duplicateTile(let tile):
            "tiling: tile \(tile) was stitched twice"
        case .rowsAlreadyEmitted(let tile, let row):
            "tiling: tile \(tile) writes output row \(row), which was already emitted"
        case .sinkOverflow(let received, let height):
            "tiling: the sink received \(received) rows, the output has \(height)"
        case .cannotEstimate(let reason):
            "tiling: cannot estimate the model's memory per pixel: \(reason)"
        case .emptyChain:
            "tiling: a processor chain needs at least one model"
        }
    }
}
