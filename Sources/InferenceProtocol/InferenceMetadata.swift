/// What `GET /v2` answers: the server's name, version and protocol extensions.
public struct ServerMetadata: Codable, Sendable, Hashable {
    public var name: String
    public var version: String
    /// `binary_tensor_data`, `model_repository`, … (Triton lists them; KServe leaves it empty).
    public var extensions: [String]

    public init(name: String, version: String, extensions: [String] = []) {
        self.name = name
        self.version = version
        self.extensions = extensions
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        version = try container.decodeIfPresent(String.self, forKey: .version) ?? ""
        extensions = try container.decodeIfPresent([String].self, forKey: .extensions) ?? []
    }
}

/// One input or output as model metadata describes it.
public struct TensorMetadata: Codable, Sendable, Hashable, CustomStringConvertible {
    public var name: String
    /// The protocol's type name: `FP32`, `INT64`, …
    public var datatype: String
    /// Dimensions; `-1` is dynamic.
    public var shape: [Int]

    public init(name: String, datatype: String, shape: [Int]) {
        self.name = name
        self.datatype = datatype
        self.shape = shape
    }

    /// `input FP32 [-1, 3, -1, -1]`.
    public var description: String { "\(name) \(datatype) [\(shape.map(String.init).joined(separator: ", "))]" }
}

/// What `GET /v2/models/NAME` answers.
public struct ModelMetadata: Codable, Sendable, Hashable {
    public var name: String
    public var versions: [String]
    /// `python`, `onnxruntime_onnx`, `tessera`, … as the server names it; may be empty.
    public var platform: String
    public var inputs: [TensorMetadata]
    public var outputs: [TensorMetadata]

    public init(name: String, versions: [String] = [], platform: String, inputs: [TensorMetadata], outputs: [TensorMetadata]) {
        self.name = name
        self.versions = versions
        self.platform = platform
        self.inputs = inputs
        self.outputs = outputs
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        versions = try container.decodeIfPresent([String].self, forKey: .versions) ?? []
        platform = try container.decodeIfPresent(String.self, forKey: .platform) ?? ""
        inputs = try container.decodeIfPresent([TensorMetadata].self, forKey: .inputs) ?? []
        outputs = try container.decodeIfPresent([TensorMetadata].self, forKey: .outputs) ?? []
    }
}

/// The body of an error reply: `{"error": "…"}`.
public struct ErrorReply: Codable, Sendable {
    public var error: String

    public init(error: String) { self.error = error }
}
