/// A value a model takes or returns: a tensor, a sequence of tensors, a map, a sequence of maps
/// (what ai.onnx.ml's ZipMap returns), or an optional with nothing in it. An optional that holds something is that thing (`.tensor` or `.sequence`), as ONNX
/// Runtime and onnx's reference evaluator hand it over.
///
/// ```swift
/// let sequence = ModelValue.sequence(TensorSequence(elementType: .float32, elements: [a, b]))
/// ```
public enum ModelValue: Sendable, Hashable {
    case tensor(Tensor)
    case sequence(TensorSequence)
    case map(TensorMap)
    /// A sequence of maps; ONNX allows no other container in a sequence that Tessera exchanges.
    case mapSequence([TensorMap])
    /// An optional value that is absent (ONNX's `None`).
    case absent

    /// The tensor, when this is one.
    public var tensor: Tensor? {
        if case .tensor(let tensor) = self { tensor } else { nil }
    }

    /// `float32[2,3]`, `seq(float32 × 2)`, `map(int64,float32 × 3)`, `seq(map × 2)`, `absent`.
    public var summary: String {
        switch self {
        case .tensor(let t): "\(t.dataType)\(t.shape)"
        case .sequence(let s): "seq(\(s.elementType) × \(s.elements.count))"
        case .map(let m): "map(\(m.keys.dataType),\(m.values.dataType) × \(m.count))"
        case .mapSequence(let maps): "seq(map × \(maps.count))"
        case .absent: "absent"
        }
    }
}

/// An ordered list of tensors of one element type; shapes may differ from element to element.
public struct TensorSequence: Sendable, Hashable {
    /// The element type, known even when the sequence is empty.
    public var elementType: DataType
    public var elements: [Tensor]

    /// - Throws: ``TensorError/typeMismatch(expected:actual:)`` when an element is not of `elementType`.
    public init(elementType: DataType, elements: [Tensor]) throws(TensorError) {
        if let other = elements.first(where: { $0.dataType != elementType }) {
            throw .typeMismatch(expected: elementType, actual: other.dataType)
        }
        self.elementType = elementType
        self.elements = elements
    }
}

/// An ONNX map as ONNX Runtime holds it: a 1-D tensor of keys (int64 or string) and a 1-D tensor
/// of values of the same length, the value for `keys[i]` at `values[i]`.
public struct TensorMap: Sendable, Hashable {
    public let keys: Tensor
    public let values: Tensor

    /// - Throws: ``TensorError/invalidMap(_:)`` when the keys are not int64 or string, either
    ///   tensor is not 1-D, or their lengths differ.
    public init(keys: Tensor, values: Tensor) throws(TensorError) {
        guard keys.dataType == .int64 || keys.dataType == .string else {
            throw .invalidMap("keys are \(keys.dataType); ONNX maps take int64 or string keys")
        }
        guard keys.shape.count == 1, values.shape.count == 1 else {
            throw .invalidMap("keys \(keys.shape) and values \(values.shape) must both be 1-D")
        }
        guard keys.shape == values.shape else {
            throw .invalidMap("\(keys.shape[0]) keys but \(values.shape[0]) values")
        }
        self.keys = keys
        self.values = values
    }

    /// The number of entries.
    public var count: Int { keys.shape[0] }
}

extension ModelValue {
    /// Compares with `expected` element by element; a sequence's length and an absent optional
    /// must match exactly.
    public func compare(to expected: ModelValue, tolerance: Tolerance) -> String? {
        switch (self, expected) {
        case (.tensor(let a), .tensor(let b)): return a.compare(to: b, tolerance: tolerance).failure
        case (.absent, .absent): return nil
        case (.sequence(let a), .sequence(let b)):
            guard a.elements.count == b.elements.count else {
                return "a sequence of \(a.elements.count), expected \(b.elements.count)"
            }
            for (index, (x, y)) in zip(a.elements, b.elements).enumerated() {
                if let failure = x.compare(to: y, tolerance: tolerance).failure { return "element \(index): \(failure)" }
            }
            return nil
        case (.map(let a), .map(let b)): return a.compare(to: b, tolerance: tolerance)
        case (.mapSequence(let a), .mapSequence(let b)):
            guard a.count == b.count else { return "a sequence of \(a.count) maps, expected \(b.count)" }
            for (index, (x, y)) in zip(a, b).enumerated() {
                if let failure = x.compare(to: y, tolerance: tolerance) { return "map \(index): \(failure)" }
            }
            return nil
        default: return "\(summary), expected \(expected.summary)"
        }
    }
}

extension TensorMap {
    /// Keys must be equal and in the same order (ONNX Runtime keeps a map's keys sorted); values
    /// compare within `tolerance`.
    public func compare(to expected: TensorMap, tolerance: Tolerance) -> String? {
        if let failure = keys.compare(to: expected.keys, tolerance: .exact).failure { return "keys: \(failure)" }
        if let failure = values.compare(to: expected.values, tolerance: tolerance).failure { return "values: \(failure)" }
        return nil
    }
}
