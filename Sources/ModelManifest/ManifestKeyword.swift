/// A closed set of words a manifest field accepts; decoding anything else names the field, the
/// word found and the words allowed.
public protocol ManifestKeyword: RawRepresentable, CaseIterable, Codable, Sendable, Hashable, CustomStringConvertible
where RawValue == String {}

extension ManifestKeyword {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let word = try container.decode(String.self)
        guard let value = Self(rawValue: word) else {
            let allowed = Self.allCases.map(\.rawValue)
            let list = allowed.count == 1 ? allowed[0] : allowed.dropLast().joined(separator: ", ") + " or " + (allowed.last ?? "")
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "unknown value \"\(word)\" (expected \(list))")
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }
}

extension ModelManifest {
    /// What the model does. Schema 1 knows one task.
    public enum TaskKind: String, ManifestKeyword {
        /// Image in, the same image `scale` times larger out.
        case upscale
    }

    /// Tensor layout of an endpoint.
    public enum Layout: String, ManifestKeyword {
        /// Batch, channels, height, width.
        case nchw = "NCHW"
    }

    /// Channel order of an endpoint.
    public enum ChannelOrder: String, ManifestKeyword {
        case rgb = "RGB"
    }

    /// Element type of an endpoint tensor.
    public enum ElementType: String, ManifestKeyword {
        case float32, float16
    }

    /// An inference library a variant is made for; the same names as Tessera's backend ids.
    public enum Library: String, ManifestKeyword {
        case onnxruntime, openvino, reference
    }

    /// How a variant's weights and arithmetic are stored.
    public enum Precision: String, ManifestKeyword {
        case fp32, fp16, int8
    }
}
