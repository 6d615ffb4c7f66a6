public import TensorCore

/// Turns a batch of tiles into their outputs: a model on one device, or several models, or one
/// model with test-time augmentation.
///
/// ``process(batch:)`` may block while a library computes; the scheduler calls it only from
/// its own worker threads, one call at a time per worker.
public protocol TileProcessor: Sendable {
    /// Output pixels per input pixel along each axis.
    var scale: Int { get }
    /// Context pixels the processor needs around a pixel to compute its output exactly (its
    /// receptive radius), in input pixels.
    var margin: Int { get }
    /// A short name for messages, such as the device the processor runs on.
    var label: String { get }

    /// Runs `batch`, float32 NCHW, and returns float32 NCHW of `scale` times the height and width.
    /// - Throws: ``BackendError`` from the library (the scheduler splits tiles on
    ///   `.outOfMemory` and retires the worker on other kinds but `.invalidInput`), or
    ///   ``TilingError`` when the model's output cannot be read.
    func process(batch: Tensor) throws -> Tensor

    /// This processor with `values` fed, on every batch, to the model inputs of those names that
    /// it has: the pooled values a model that pools over its whole input takes per image (see
    /// ``Upscaler``). Processors without such inputs return themselves.
    func feeding(_ values: [String: Tensor]) -> any TileProcessor
}

extension TileProcessor {
    public func feeding(_ values: [String: Tensor]) -> any TileProcessor { self }
}
