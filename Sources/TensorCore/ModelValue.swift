/// A value a model takes or returns: a tensor, a sequence of tensors, or an optional with nothing
/// in it. An optional that holds something is that thing (`.tensor` or `.sequence`), as ONNX
/// Runtime and onnx's reference evaluator hand it over.
///
/// ```swift
/// let sequence = ModelValue.sequence(TensorSequence(elementType: .float32, elements: [a, b]))
/// ```
public enum ModelValue: Sendable, Hashable {
    case tensor(Tensor)
    case sequence(TensorSequence)
    /// An optional value that is absent (ONNX's `None`).
    case absent

    /// The tensor, when this is one.
    public var tensor: Tensor? {
        if case .tensor(let tensor) = self { tensor } else { nil }
    }

    /// `float32[2,3]`, `seq(float32 × 2)`, `absent`.
    public var summary: String {
        switch self {
        case .tensor(let t): "\(t.dataType)\(t.shape)"
        case .sequence(let s): "seq(\(s.elementType) × \(s.elements.count))"
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
        default: return "\(summary), expected \(expected.summary)"
        }
    }
}
