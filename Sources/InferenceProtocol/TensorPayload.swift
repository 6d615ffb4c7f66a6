public import Foundation
public import TensorCore

/// One tensor of a message as its JSON header describes it, and how its values are found: in
/// the binary part (`parameters.binary_data_size`) or as JSON numbers (`data`).
struct TensorHeader: Codable {
    var name: String
    var datatype: String
    var shape: [Int]
    var parameters: Parameters?
    var data: FlatNumbers?

    struct Parameters: Codable {
        var binary_data_size: Int?
        var binary_data: Bool?
    }

    /// The header for `tensor`, its values in the binary part or inline as JSON numbers.
    /// - Throws: ``ProtocolError/unsupportedType(name:type:)``.
    init(name: String, tensor: Tensor, binary: Bool) throws(ProtocolError) {
        guard let datatype = tensor.dataType.inferenceProtocolName, tensor.dataType != .string, let raw = tensor.rawBytes else {
            throw .unsupportedType(name: name, type: tensor.dataType.onnxName)
        }
        self.name = name
        self.datatype = datatype
        shape = tensor.shape
        if binary {
            parameters = Parameters(binary_data_size: raw.count)
        } else {
            guard let values = try? tensor.doubleValues() else { throw .unsupportedType(name: name, type: tensor.dataType.onnxName) }
            data = FlatNumbers(values: values)
        }
    }

    /// A header for raw bytes that travel apart from it (gRPC's `raw_input_contents`).
    init(name: String, datatype: String, shape: [Int], binarySize: Int) {
        self.name = name
        self.datatype = datatype
        self.shape = shape
        parameters = Parameters(binary_data_size: binarySize)
    }

    /// Reads the tensor: from `body` at `offset` (advanced past it) where the header gives a
    /// binary size, else from `data`. Every size is checked against shape and type first.
    func tensor(in body: Data, at offset: inout Int, role: String) throws(ProtocolError) -> Tensor {
        guard let type = DataType(inferenceProtocolName: datatype), type != .string else {
            throw .malformed("\(role) '\(name)' has datatype '\(datatype)', which Tessera cannot read")
        }
        guard shape.allSatisfy({ $0 >= 0 }), let count = try? Tensor.elementCount(of: shape),
            let bytes = try? type.byteCount(forElements: count)
        else { throw .malformed("\(role) '\(name)' has the invalid shape \(shape)") }
        if let size = parameters?.binary_data_size {
            guard size == bytes else {
                throw .malformed("\(role) '\(name)' \(shape) \(datatype) needs \(bytes) bytes, the message says \(size)")
            }
            guard body.endIndex - offset >= size else {
                throw .malformed("the body ends \(size - (body.endIndex - offset)) bytes short of \(role) '\(name)'")
            }
            defer { offset += size }
            do {
                return try Tensor(dataType: type, shape: shape, bytes: Data(body[offset..<(offset + size)]))
            } catch {
                throw .malformed("\(role) '\(name)': \(error)")
            }
        }
        guard let values = data?.values else { throw .malformed("\(role) '\(name)' carries neither data nor a binary size") }
        guard values.count == count else { throw .malformed("\(role) '\(name)' \(shape) holds \(values.count) values, not \(count)") }
        return try Self.tensor(type: type, shape: shape, values: values, name: name)
    }

    /// A tensor of `type` from JSON numbers; integers must be whole and in range.
    private static func tensor(type: DataType, shape: [Int], values: [Double], name: String) throws(ProtocolError) -> Tensor {
        func integers<T: TensorScalar & BinaryInteger>(_: T.Type) throws(ProtocolError) -> Tensor {
            let converted = values.compactMap { T(exactly: $0) }
            guard converted.count == values.count, let made = try? Tensor(shape: shape, scalars: converted) else {
                throw .malformed("tensor '\(name)' holds values that are not \(type.onnxName)")
            }
            return made
        }
        switch type {
        case .float32: if let made = try? Tensor(shape: shape, scalars: values.map { Float($0) }) { return made }
        case .float64: if let made = try? Tensor(shape: shape, scalars: values) { return made }
        case .int32: return try integers(Int32.self)
        case .int64: return try integers(Int64.self)
        case .uint8: return try integers(UInt8.self)
        case .bool: if let made = try? Tensor(shape: shape, scalars: values.map { $0 != 0 }) { return made }
        default: break
        }
        throw .unsupportedType(name: name, type: type.onnxName)
    }
}

/// A `data` array, flat or nested row by row, read as numbers (booleans as 0 and 1); written flat.
struct FlatNumbers: Codable {
    var values: [Double]

    init(values: [Double]) { self.values = values }

    init(from decoder: any Decoder) throws {
        var container = try decoder.unkeyedContainer()
        values = []
        while !container.isAtEnd {
            if let number = try? container.decode(Double.self) {
                values.append(number)
            } else if let flag = try? container.decode(Bool.self) {
                values.append(flag ? 1 : 0)
            } else {
                values += try container.decode(FlatNumbers.self).values
            }
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(values)
    }
}

/// Splits a message into its JSON header and binary part (`Inference-Header-Content-Length`,
/// `nil` when the whole body is JSON) and decodes the header.
func decodeHeader<T: Decodable>(_ type: T.Type, body: Data, headerLength: Int?) throws(ProtocolError) -> (T, binaryStart: Int) {
    let jsonLength = headerLength ?? body.count
    guard jsonLength >= 0, jsonLength <= body.count else {
        throw .malformed("its header length \(jsonLength) exceeds the \(body.count)-byte body")
    }
    let end = body.startIndex + jsonLength
    do {
        return (try JSONDecoder().decode(type, from: body[body.startIndex..<end]), end)
    } catch {
        throw .malformed("its JSON header does not parse (\(error))")
    }
}

extension Tensor {
    /// The tensor that `bytes` hold as `datatype` in `shape`, checked as the REST messages are:
    /// for protocols that carry raw tensor bytes apart from their description (gRPC).
    /// - Parameter role: `input` or `output`, for the message.
    /// - Throws: ``ProtocolError``.
    public static func fromRawContents(name: String, datatype: String, shape: [Int], bytes: Data, role: String) throws(ProtocolError) -> Tensor {
        var offset = bytes.startIndex
        let tensor = try TensorHeader(name: name, datatype: datatype, shape: shape, binarySize: bytes.count).tensor(in: bytes, at: &offset, role: role)
        return tensor
    }
}
