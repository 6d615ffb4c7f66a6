public import TensorCore

/// The name, element type and shape of a session input or output, and whether it is a tensor, a
/// sequence of tensors, or an optional one of those (then type and shape are its elements'), or a
/// map or sequence of maps (then type and shape are the map values', and ``keyType`` is set).
public struct TensorDescription: Hashable, Sendable, Codable {
    /// Which kind of ONNX value an input or output is.
    public enum Kind: String, Hashable, Sendable, Codable {
        case tensor
        case sequence
        case optionalTensor
        case optionalSequence
        case map
        /// A sequence of maps, as ai.onnx.ml's ZipMap returns.
        case mapSequence

        /// Whether the value may be absent (``ModelValue/absent``).
        public var isOptional: Bool { self == .optionalTensor || self == .optionalSequence }
        /// Whether the value, when present, is a sequence.
        public var isSequence: Bool { self == .sequence || self == .optionalSequence }
        /// Whether the value is a map or a sequence of maps.
        public var isMap: Bool { self == .map || self == .mapSequence }
    }

    public var name: String
    /// The element type (of the tensor, or of the sequence's tensors).
    public var dataType: DataType
    /// Dimensions; `nil` entries are dynamic (symbolic or unknown).
    public var dims: [Int?]
    public var kind: Kind
    /// A map's key type (int64 or string); `nil` for values that are not maps.
    public var keyType: DataType?

    public init(name: String, dataType: DataType, dims: [Int?], kind: Kind = .tensor, keyType: DataType? = nil) {
        self.name = name
        self.dataType = dataType
        self.dims = dims
        self.kind = kind
        self.keyType = keyType
    }

    private enum CodingKeys: String, CodingKey { case name, dataType, dims, kind, keyType }

    /// Records written before ``kind`` existed describe tensors.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        dataType = try container.decode(DataType.self, forKey: .dataType)
        dims = try container.decode([Int?].self, forKey: .dims)
        kind = try container.decodeIfPresent(Kind.self, forKey: .kind) ?? .tensor
        keyType = try container.decodeIfPresent(DataType.self, forKey: .keyType)
    }

    /// `float[N,3]`, `seq(float[N])`, `optional(seq(float[]))`, `map(int64,float)`,
    /// `seq(map(string,float))`.
    public var typeDescription: String {
        let tensor = "\(dataType)[\(dims.map { $0.map(String.init) ?? "?" }.joined(separator: ","))]"
        switch kind {
        case .tensor: return tensor
        case .sequence: return "seq(\(tensor))"
        case .optionalTensor: return "optional(\(tensor))"
        case .optionalSequence: return "optional(seq(\(tensor)))"
        case .map: return "map(\(keyType.map(String.init(describing:)) ?? "?"),\(dataType))"
        case .mapSequence: return "seq(map(\(keyType.map(String.init(describing:)) ?? "?"),\(dataType)))"
        }
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

    /// Runs the model once on any ONNX values: tensors, sequences, maps, absent optionals (an
    /// optional input left out of `inputs` is absent too). Returns every output keyed by name.
    /// - Throws: ``BackendError``; `.unsupported` naming the input from a library that takes
    ///   tensors only.
    func run(values inputs: [String: ModelValue]) throws -> [String: ModelValue]
}

extension Session {
    /// For libraries that exchange tensors only: every input must be a tensor.
    public func run(values inputs: [String: ModelValue]) throws -> [String: ModelValue] {
        var tensors: [String: Tensor] = [:]
        for (name, value) in inputs {
            guard let tensor = value.tensor else {
                throw BackendError(
                    .unsupported, backend: device.backend, call: "run",
                    message: "input '\(name)' is \(value.summary); \(device.backend) takes tensors only")
            }
            tensors[name] = tensor
        }
        return try run(tensors).mapValues { .tensor($0) }
    }
}
