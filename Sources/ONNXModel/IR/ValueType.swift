public import TensorCore

/// The type of a value: a tensor with an element type and a (possibly symbolic) shape, or one of
/// ONNX's container types.
public struct ValueType: Sendable, Hashable {
    /// The kinds of value ONNX knows.
    public indirect enum Kind: Sendable, Hashable {
        case tensor(TensorType)
        case sparseTensor(TensorType)
        case sequence(ValueType?)
        case map(key: DataType?, value: ValueType?)
        case optional(ValueType?)
        case opaque(domain: String, name: String)
        /// A `TypeProto` with no value set.
        case unspecified
    }

    public var kind: Kind
    /// The type's `denotation` (`IMAGE`, `TENSOR`, …), empty when absent.
    public var denotation: String

    public init(_ kind: Kind, denotation: String = "") {
        self.kind = kind
        self.denotation = denotation
    }

    /// A dense tensor type.
    public static func tensor(_ elementType: DataType?, _ dims: [Dim]?) -> ValueType {
        ValueType(.tensor(TensorType(elementType: elementType, dims: dims)))
    }

    /// The tensor type, when this is a dense tensor.
    public var tensorType: TensorType? {
        if case .tensor(let type) = kind { type } else { nil }
    }
}

/// A tensor's element type and shape as far as they are known.
public struct TensorType: Sendable, Hashable {
    /// `nil` when the element type is undefined.
    public var elementType: DataType?
    /// `nil` when even the rank is unknown.
    public var dims: [Dim]?
    /// Per-dimension `denotation`s (`DATA_BATCH`, `DATA_CHANNEL`, …); empty when the file gives none.
    public var dimDenotations: [String]

    public init(elementType: DataType?, dims: [Dim]?, dimDenotations: [String] = []) {
        self.elementType = elementType
        self.dims = dims
        self.dimDenotations = dimDenotations
    }
}

extension ValueType: CustomStringConvertible {
    /// `float32[N,3,H,W]`, `seq(int64[?])`, `map(string,float32[])`.
    public var description: String {
        switch kind {
        case .tensor(let t): t.description
        case .sparseTensor(let t): "sparse(\(t))"
        case .sequence(let e): "seq(\(e?.description ?? "?"))"
        case .map(let k, let v): "map(\(k?.description ?? "?"),\(v?.description ?? "?"))"
        case .optional(let e): "optional(\(e?.description ?? "?"))"
        case .opaque(let domain, let name): "opaque(\(domain).\(name))"
        case .unspecified: "?"
        }
    }
}

extension TensorType: CustomStringConvertible {
    public var description: String {
        let element = elementType?.description ?? "?"
        guard let dims else { return "\(element)[…]" }
        return "\(element)[\(dims.map(\.description).joined(separator: ","))]"
    }
}
