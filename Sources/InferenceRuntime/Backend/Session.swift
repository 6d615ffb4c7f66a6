public import TensorCore

/// The name, element type and shape of a session input or output.
public struct TensorDescription: Hashable, Sendable, Codable {
    public var name: String
    public var dataType: DataType
    /// Dimensions; `nil` entries are dynamic (symbolic or unknown).
    public var dims: [Int?]

    public init(name: String, dataType: DataType, dims: [Int?]) {
        self.name = name
        self.dataType = dataType
        self.dims = dims
    }
}

/// A model loaded on one device by one library, ready to run.
///
/// - Important: ``run(_:)`` blocks the calling thread while the library computes; call it from a
///   thread that may block (the pipeline's workers), not from a cooperative-pool task that must
///   stay responsive. Sessions may be run concurrently from several threads.
public protocol Session: Sendable {
    /// The backend and device this session runs on.
    var device: Device { get }
    var inputs: [TensorDescription] { get }
    var outputs: [TensorDescription] { get }

    /// Runs the model once. Inputs are keyed by name and must match ``inputs`` in type and rank;
    /// float32 and float16 are supported for floating-point inputs, and the first dimension may
    /// be a batch. Returns every output keyed by name.
    /// - Throws: ``BackendError`` with the library's code and message.
    func run(_ inputs: [String: Tensor]) throws -> [String: Tensor]
}
