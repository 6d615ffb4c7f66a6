public import ONNXModel
import TensorCore

extension TensorDescription {
    /// Describes a graph input or output as sessions exchange it: a typed tensor, a sequence of
    /// them, or an optional one of those, a map of int64 or string keys to tensor values or a
    /// sequence of such maps; `nil` for anything else (untyped values, maps of sequences).
    public init?(_ value: ValueInfo) {
        func tensor(_ type: ValueType?) -> TensorType? { type?.tensorType?.elementType == nil ? nil : type?.tensorType }
        func sequence(_ type: ValueType?) -> TensorType? {
            if case .sequence(let element) = type?.kind { tensor(element) } else { nil }
        }
        func map(_ type: ValueType?) -> (key: DataType, value: TensorType)? {
            guard case .map(let key?, let value) = type?.kind, key == .int64 || key == .string, let t = tensor(value) else {
                return nil
            }
            return (key, t)
        }
        var keyType: DataType?
        let optional: ValueType?? = if case .optional(let element) = value.type?.kind { element } else { nil }
        let kind: Kind
        let tensorType: TensorType
        if let t = tensor(value.type) {
            (kind, tensorType) = (.tensor, t)
        } else if let t = sequence(value.type) {
            (kind, tensorType) = (.sequence, t)
        } else if let (key, t) = map(value.type) {
            (kind, tensorType, keyType) = (.map, t, key)
        } else if case .sequence(let element) = value.type?.kind, let (key, t) = map(element) {
            (kind, tensorType, keyType) = (.mapSequence, t, key)
        } else if let optional, let t = tensor(optional) {
            (kind, tensorType) = (.optionalTensor, t)
        } else if let optional, let t = sequence(optional) {
            (kind, tensorType) = (.optionalSequence, t)
        } else {
            return nil
        }
        guard let elementType = tensorType.elementType else { return nil }
        self.init(name: value.name, dataType: elementType, dims: (tensorType.dims ?? []).map(\.value), kind: kind, keyType: keyType)
    }
}
