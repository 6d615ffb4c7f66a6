public import Foundation
public import TensorCore

/// Reads and writes values as ONNX's test data stores them: a tensor as a `TensorProto`, a
/// sequence as a `SequenceProto`, a map as a `MapProto` (keys in `keys` or `string_keys`, values
/// a `SequenceProto` of one scalar tensor per key, as onnx's `numpy_helper.from_dict` writes
/// them), an optional as an `OptionalProto` (`onnx-data.proto`).
///
/// The container messages are a handful of fields, so they are read and written here on the
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
        case .map: self = .map(try Self.map(bytes, type: type))
        default: throw .invalidTensor(name: "?", reason: "values of type \(type) are not supported")
        }
    }

    /// Serializes the value as a value of `type`: a `TensorProto`, `SequenceProto`, `MapProto` or `OptionalProto`.
    public func serializedBytes(type: ValueType) throws(ONNXModelError) -> Data {
        switch (type.kind, self) {
        case (.tensor, .tensor(let tensor)): return try StoredTensor(name: "", tensor: tensor).serializedBytes()
        case (.sequence, .sequence(let sequence)): return try Self.sequenceBytes(sequence)
        case (.map, .map(let map)): return try Self.mapBytes(map)
        case (.sequence, .mapSequence(let maps)):
            var data = WireWriter.varintField(2, ContainerCode.map.rawValue)
            for map in maps { data += WireWriter.bytesField(6, try Self.mapBytes(map)) }
            return data
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
        var maps: [TensorMap] = []
        try WireReader.fields(of: bytes, message: "SequenceProto") { (field, value) throws(ONNXModelError) in
            switch (field, value) {
            case (2, .varint(let value)): code = value
            case (3, .bytes(let data)): elements.append(try StoredTensor(serializedBytes: data).tensor)
            case (6, .bytes(let data)): maps.append(try map(data, type: elementType))
            case (4...7, .bytes):
                throw .invalidTensor(name: "?", reason: "SequenceProto: only sequences of dense tensors or of maps are supported")
            default: break
            }
        }
        let declaresMaps = if case .map = elementType?.kind { true } else { false }
        if !maps.isEmpty || code == ContainerCode.map.rawValue || (elements.isEmpty && declaresMaps) {
            guard elements.isEmpty, code == ContainerCode.map.rawValue || (code == ContainerCode.undefined.rawValue && maps.isEmpty) else {
                throw .invalidTensor(name: "?", reason: "SequenceProto: elem_type \(code) with \(maps.count) maps and \(elements.count) tensors")
            }
            return .mapSequence(maps)
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

    /// `TensorProto.DataType` codes of the key types ONNX Runtime's maps take.
    private static let int64Code: UInt64 = 7, stringCode: UInt64 = 8

    /// A `MapProto`; its values (one scalar tensor per key) become one 1-D tensor, as ONNX Runtime
    /// holds a map. An empty map takes its value type from `type` (float32 when open).
    private static func map(_ bytes: Data, type: ValueType?) throws(ONNXModelError) -> TensorMap {
        func fail(_ reason: String) -> ONNXModelError { .invalidTensor(name: "?", reason: "MapProto: \(reason)") }
        var keyType: UInt64 = 0
        var integerKeys: [Int64] = []
        var stringKeys: [Data] = []
        var valueBytes: Data?
        try WireReader.fields(of: bytes, message: "MapProto") { (field, value) throws(ONNXModelError) in
            switch (field, value) {
            case (2, .varint(let code)): keyType = code
            case (3, .varint(let key)): integerKeys.append(Int64(bitPattern: key))
            case (3, .bytes(let packed)):  // proto3 writers pack repeated integers
                integerKeys += try WireReader.packedVarints(packed, message: "MapProto").map { Int64(bitPattern: $0) }
            case (4, .bytes(let key)): stringKeys.append(key)
            case (5, .bytes(let data)): valueBytes = data
            default: break
            }
        }
        guard (keyType == int64Code && stringKeys.isEmpty) || (keyType == stringCode && integerKeys.isEmpty) else {
            throw fail("""
                key_type \(keyType) with \(integerKeys.count) integer and \(stringKeys.count) string keys; \
                int64 (7) or string (8) keys are supported
                """)
        }
        let valueType: ValueType? = if case .map(_, let value) = type?.kind { value } else { nil }
        guard case .sequence(let sequence) = try sequence(valueBytes ?? Data(), elementType: valueType) else {
            throw fail("values are not a sequence of tensors")
        }
        if let other = sequence.elements.first(where: { $0.elementCount != 1 }) {
            throw fail("a value of shape \(other.shape); each value must be one scalar tensor")
        }
        do {
            let keys =
                keyType == stringCode
                ? try Tensor(shape: [stringKeys.count], strings: stringKeys) : try Tensor(shape: [integerKeys.count], scalars: integerKeys)
            let values: Tensor
            if sequence.elementType == .string {
                values = try Tensor(shape: [sequence.elements.count], strings: sequence.elements.flatMap { $0.strings ?? [] })
            } else {
                let data = sequence.elements.reduce(into: Data()) { $0.append($1.rawBytes ?? Data()) }
                values = try Tensor(dataType: sequence.elementType, shape: [sequence.elements.count], bytes: data)
            }
            return try TensorMap(keys: keys, values: values)
        } catch {
            throw fail("\(error)")
        }
    }

    private static func mapBytes(_ map: TensorMap) throws(ONNXModelError) -> Data {
        var data = Data()
        if let strings = map.keys.strings {
            data += WireWriter.varintField(2, stringCode)
            for key in strings { data += WireWriter.bytesField(4, key) }
        } else {
            data += WireWriter.varintField(2, int64Code)
            let keys: [Int64]
            do { keys = try map.keys.scalars(as: Int64.self) } catch { throw .unwritable(reason: "map keys: \(error)") }
            for key in keys { data += WireWriter.varintField(3, UInt64(bitPattern: key)) }
        }
        // One scalar tensor per value, as onnx's numpy_helper.from_dict writes a map's values.
        let scalars: [Tensor]
        do {
            if let strings = map.values.strings {
                scalars = try strings.map { string throws(TensorError) in try Tensor(shape: [], strings: [string]) }
            } else {
                let bytes = map.values.rawBytes ?? Data()
                let width = map.count == 0 ? 0 : bytes.count / map.count
                scalars = try (0..<map.count).map { index throws(TensorError) in
                    let start = bytes.startIndex + index * width
                    return try Tensor(dataType: map.values.dataType, shape: [], bytes: Data(bytes[start..<(start + width)]))
                }
            }
        } catch {
            throw .unwritable(reason: "map values: \(error)")
        }
        let values: TensorSequence
        do { values = try TensorSequence(elementType: map.values.dataType, elements: scalars) } catch {
            throw .unwritable(reason: "map values: \(error)")
        }
        return data + WireWriter.bytesField(5, try sequenceBytes(values))
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
        var cursor = Cursor(bytes: [UInt8](data), message: message)
        while !cursor.atEnd {
            let key = try cursor.varint()
            let field = Int(key >> 3)
            guard field > 0 else { throw cursor.fail("field number 0") }
            switch key & 7 {
            case 0: try body(field, .varint(try cursor.varint()))
            case 1, 5:
                try cursor.skip(key & 7 == 1 ? 8 : 4, what: "fixed-width field")
                try body(field, .fixed)
            case 2:
                let length = try cursor.varint()
                let start = cursor.position
                try cursor.skip(length, what: "field \(field)")
                try body(field, .bytes(Data(cursor.bytes[start..<cursor.position])))
            default: throw cursor.fail("wire type \(key & 7)")
            }
        }
    }

    /// The integers of a packed repeated field's payload.
    static func packedVarints(_ data: Data, message: String) throws(ONNXModelError) -> [UInt64] {
        var cursor = Cursor(bytes: [UInt8](data), message: message)
        var values: [UInt64] = []
        while !cursor.atEnd { values.append(try cursor.varint()) }
        return values
    }

    private struct Cursor {
        let bytes: [UInt8]
        let message: String
        var position = 0

        var atEnd: Bool { position >= bytes.count }

        func fail(_ reason: String) -> ONNXModelError {
            .invalidTensor(name: "?", reason: "not a serialized \(message): \(reason) at byte \(position)")
        }

        mutating func varint() throws(ONNXModelError) -> UInt64 {
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

        mutating func skip(_ count: some BinaryInteger, what: String) throws(ONNXModelError) {
            guard count <= bytes.count - position else { throw fail("\(what) runs past the end") }
            position += Int(count)
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
