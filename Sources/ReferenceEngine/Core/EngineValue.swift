import TensorCore

/// A value in a plan's slot: a tensor (almost every value), a sequence of tensors, or an absent
/// optional. An optional that holds something is that thing, as in ``ModelValue``.
enum EngineValue: Sendable {
    case tensor(NDArray)
    case sequence(SequenceValue)
    case absent

    /// The tensor, or an error saying what the value is instead.
    func tensor() throws(KernelError) -> NDArray {
        if case .tensor(let value) = self { return value }
        throw .invalid("a tensor is required, found \(summary)")
    }

    /// The sequence, or an error saying what the value is instead.
    func sequence() throws(KernelError) -> SequenceValue {
        if case .sequence(let value) = self { return value }
        throw .invalid("a sequence is required, found \(summary)")
    }

    var summary: String {
        switch self {
        case .tensor(let t): "a \(t.dataType) tensor"
        case .sequence(let s): "a sequence of \(s.elements.count) \(s.elementType) tensors"
        case .absent: "an absent optional"
        }
    }
}

/// A sequence of tensors; its element type is known even when it is empty.
struct SequenceValue: Sendable {
    var elementType: DataType
    var elements: [NDArray]

    /// A sequence of `elements`, which must all be of `elementType`.
    init(elementType: DataType, elements: [NDArray]) throws(KernelError) {
        if let other = elements.first(where: { $0.dataType != elementType }) {
            throw .invalid("a sequence of \(elementType) cannot hold a \(other.dataType) tensor")
        }
        self.elementType = elementType
        self.elements = elements
    }

    /// The index `position` names (negative counts from the end); `end` allows one past the last.
    func index(_ position: NDArray?, default fallback: Int, end: Bool) throws(KernelError) -> Int {
        guard let position else { return fallback }
        let raw = Int(try position.scalarInt())
        let index = raw < 0 ? raw + elements.count : raw
        guard index >= 0, index < elements.count + (end ? 1 : 0) else {
            throw .invalid("position \(raw) is out of range for a sequence of \(elements.count)")
        }
        return index
    }
}

/// A value kernel's inputs: tensors, sequences and optionals.
typealias ValueInputs = NodeInputs<EngineValue>

extension NodeInputs where Value == EngineValue {
    /// Input `index` as a tensor, which must be present.
    func tensor(_ index: Int) throws(KernelError) -> NDArray { try at(index).tensor() }

    /// Input `index` as a sequence, which must be present.
    func sequence(_ index: Int) throws(KernelError) -> SequenceValue { try at(index).sequence() }
}
