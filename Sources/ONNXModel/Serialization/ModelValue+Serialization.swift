public import Foundation
public import TensorCore

/// Reads and writes values as ONNX's test data stores them: a tensor as a `TensorProto`, a
/// sequence as a `SequenceProto`, an optional as an `OptionalProto` (`onnx-data.proto`).
///
/// The two container messages are a handful of fields, so they are read and written here on the
/// protobuf wire format directly; each element goes through the `TensorProto` reader and writer.
extension ModelValue {
    /// `SequenceProto.DataType` / `OptionalProto.DataType` codes.
    private enum ContainerCode: UInt64 {
        case undefined = 0, tensor = 1, sparseTensor = 2, sequence = 3, map = 4, optional = 5
    }

    /// Parses a serialized value of `type`; an empty sequence takes its element type from `type`
    /// (float32 when `type` leaves it open, as `SequenceEmpty` does).
    /// - Throws: ``ONNXModelError/invalidTensor(name:reason:)`` naming what is malformed.
    public init(serializedBytes bytes: Data, type: ValueType) throws(ONNXModelError) {
        switch type.kind {
        case .tensor: self = .tensor(try StoredTensor(serializedBytes: bytes).tensor)
        case .sequence(let element): self = try Self.sequence(bytes, elementType: element)
        case .optional(let element): self = try Self.optional(bytes, elementType: element)
        default: throw .invalidTensor(name: "?", reason: "values of type \(type) are not supported")
        }
    }

    /// Serializes the value as a value of `type`: a `TensorProto`, `SequenceProto` or `OptionalProto`.
    public func serializedBytes(type: ValueType) throws(ONNXModelError) -> Data {
        switch (type.kind, self) {
        case (.tensor, .tensor(let tensor)): return try StoredTensor(name: "", tensor: tensor).serializedBytes()
        case (.sequence, .sequence(let sequence)): return try Self.sequenceBytes(sequence)
        case (.optional, .absent): return WireWriter.varintField(2, ContainerCode.undefined.rawValue)
        case (.optional, .tensor(let tensor)):
            return WireWriter.varintField(2, ContainerCode.tensor.rawValue)
                + WireWriter.bytesField(3, try StoredTensor(name: "", tensor: tensor).serializedBytes())
        case (.optional, .sequence(let sequence)):
            return WireWriter.varintField(2, ContainerCode.sequence.rawValue) + WireWriter.bytesField(5, try Self.sequenceBytes(sequence))
        default: throw .unwritable(reason: "a \(summary) cannot be written as \(type)")
        }
    }

    private static func sequenceBytes(_ sequence: TensorSequence) throws(ONNXModelError) -> Data {
        var data = WireWriter.varintField(2, ContainerCode.tensor.rawValue)
        for element in sequence.elements {
            data += WireWriter.bytesField(3, try StoredTensor(name: "", tensor: element).serializedBytes())
        }
        return data
    }

    private static func sequence(_ bytes: Data, elementType: ValueType?) throws(ONNXModelError) -> ModelValue {
        var code = ContainerCode.undefined.rawValue
        var elements: [Tensor] = []
        try WireReader.fields(of: bytes, message: "SequenceProto") { (field, value) throws(ONNXModelError) in
            switch (field, value) {
            case (2, .varint(let value)): code = value
            case (3, .bytes(let data)): elements.append(try StoredTensor(serializedBytes: data).tensor)
            case (4...7, .bytes): throw .invalidTensor(name: "?", reason: "SequenceProto: only sequences of dense tensors are supported")
            default: break
            }
        }
        guard elements.isEmpty || code == ContainerCode.tensor.rawValue else {
            throw .invalidTensor(name: "?", reason: "SequenceProto: elem_type \(code) with tensor elements")
        }
        let declared = elementType?.tensorType?.elementType
        do {
            return .sequence(try TensorSequence(elementType: elements.first?.dataType ?? declared ?? .float32, elements: elements))
        } catch {
            throw .invalidTensor(name: "?", reason: "SequenceProto: elements of different types (\(error))")
        }
    }

    private static func optional(_ bytes: Data, elementType: ValueType?) throws(ONNXModelError) -> ModelValue {
        var result = ModelValue.absent
        try WireReader.fields(of: bytes, message: "OptionalProto") { (field, value) throws(ONNXModelError) in
            switch (field, value) {
            case (3, .bytes(let data)): result = .tensor(try StoredTensor(serializedBytes: data).tensor)
            case (5, .bytes(let data)):
                let inner: ValueType? = if case .sequence(let element) = elementType?.kind { element } else { nil }
                result = try sequence(data, elementType: inner)
            case (4, .bytes), (6...7, .bytes):
                throw .invalidTensor(name: "?", reason: "OptionalProto: only optional tensors and sequences are supported")
            default: break
            }
        }
        return result
    }
}

/// The protobuf wire format, as far as the container messages need it.
private enum WireReader {
    enum FieldValue {
        case varint(UInt64)
        case bytes(Data)
        case fixed
    }

    /// Calls `body` with every field of the message in `data`, in order.
    static func fields(of data: Data, message: String, _ body: (Int, FieldValue) throws(ONNXModelError) -> Void)
        throws(ONNXModelError)
    {
        let bytes = [UInt8](data)
        var position = 0
        func fail(_ reason: String) -> ONNXModelError {
            .invalidTensor(name: "?", reason: "not a serialized \(message): \(reason) at byte \(position)")
        }
        func varint() throws(ONNXModelError) -> UInt64 {
            var value: UInt64 = 0
            for shift in stride(from: 0, to: 64, by: 7) {
                guard position < bytes.count else { throw fail("truncated varint") }
                let byte = bytes[position]
                position += 1
                value |= UInt64(byte & 0x7f) << UInt64(shift)
                if byte & 0x80 == 0 { return value }
            }
            throw fail("varint longer than 10 bytes")
        }
        while position < bytes.count {
            let key = try varint()
            let field = Int(key >> 3)
            guard field > 0 else { throw fail("field number 0") }
            switch key & 7 {
            case 0: try body(field, .varint(try varint()))
            case 1, 5:
                let width = key & 7 == 1 ? 8 : 4
                guard bytes.count - position >= width else { throw fail("truncated fixed-width field") }
                position += width
                try body(field, .fixed)
            case 2:
                let length = try varint()
                guard length <= UInt64(bytes.count - position) else { throw fail("field \(field) runs past the end") }
                let start = position
                position += Int(length)
                try body(field, .bytes(Data(bytes[start..<position])))
            default: throw fail("wire type \(key & 7)")
            }
        }
    }
}

private enum WireWriter {
    static func varint(_ value: UInt64) -> Data {
        var data = Data()
        var rest = value
        while rest >= 0x80 {
            data.append(UInt8(rest & 0x7f) | 0x80)
            rest >>= 7
        }
        data.append(UInt8(rest))
        return data
    }

    static func varintField(_ field: Int, _ value: UInt64) -> Data { varint(UInt64(field) << 3) + varint(value) }

    static func bytesField(_ field: Int, _ payload: Data) -> Data {
        varint(UInt64(field) << 3 | 2) + varint(UInt64(payload.count)) + payload
    }
}
