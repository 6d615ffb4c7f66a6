import Foundation
internal import SwiftProtobuf
import TensorCore

extension ProtoWriter {
    func tensor(_ stored: StoredTensor) throws(ONNXModelError) -> Onnx_TensorProto {
        var proto = Onnx_TensorProto()
        let tensor = stored.tensor
        proto.dims = tensor.shape.map { Int64($0) }
        proto.dataType = tensor.dataType.rawValue
        if let segment = stored.retained.segment { proto.segment = segment }
        let empty = stored.retained.explicitlyEmpty
        setIfPresent(stored.name, explicit: empty.contains("name")) { proto.name = $0 }
        setIfPresent(stored.docString, explicit: empty.contains("doc_string")) { proto.docString = $0 }
        proto.metadataProps = stored.retained.metadataProps

        switch tensor.storage {
        case .strings(let strings):
            proto.stringData = strings
        case .bytes(let bytes):
            if let externalData, let reference = try externalData.place(stored, bytes: bytes) {
                proto.dataLocation = .external
                proto.externalData = reference.entries
            } else if stored.encoding == .typedField {
                try Self.unpackTypedField(bytes, type: tensor.dataType, name: stored.name, into: &proto)
            } else {
                proto.rawData = bytes
            }
        }
        return proto
    }

    /// The inverse of the reader's packing: raw little-endian bytes into ONNX's typed field.
    private static func unpackTypedField(
        _ bytes: Data, type: DataType, name: String, into proto: inout Onnx_TensorProto
    ) throws(ONNXModelError) {
        func values<T: BitwiseCopyable>(_: T.Type) -> [T] {
            bytes.withUnsafeBytes { raw in
                Array(unsafeUninitializedCapacity: raw.count / MemoryLayout<T>.size) { buffer, count in
                    count = raw.copyBytes(to: buffer) / MemoryLayout<T>.size
                }
            }
        }
        func widened<T: FixedWidthInteger & BitwiseCopyable>(_: T.Type) -> [Int32] { values(T.self).map { Int32(truncatingIfNeeded: $0) } }
        switch type {
        case .float32, .complex64: proto.floatData = values(Float.self)
        case .float64, .complex128: proto.doubleData = values(Double.self)
        case .int64: proto.int64Data = values(Int64.self)
        case .uint64: proto.uint64Data = values(UInt64.self)
        case .uint32: proto.uint64Data = values(UInt32.self).map { UInt64($0) }
        case .int32: proto.int32Data = values(Int32.self)
        case .int16: proto.int32Data = widened(Int16.self)
        case .uint16, .float16, .bfloat16: proto.int32Data = widened(UInt16.self)
        case .int8: proto.int32Data = widened(Int8.self)
        case .uint8, .bool, .float8e4m3fn, .float8e4m3fnuz, .float8e5m2, .float8e5m2fnuz, .float8e8m0, .uint4, .int4,
            .float4e2m1, .uint2, .int2:
            proto.int32Data = widened(UInt8.self)
        case .float6e2m3, .float6e3m2, .string:
            throw .invalidTensor(name: name, reason: "\(type) cannot be written to a typed field")
        }
    }
}

extension ExternalDataReference {
    /// The `external_data` key/value list ONNX expects.
    var entries: [Onnx_StringStringEntryProto] {
        var pairs = [MetadataEntry(key: "location", value: location), MetadataEntry(key: "offset", value: String(offset))]
        if let length { pairs.append(MetadataEntry(key: "length", value: String(length))) }
        if let checksum { pairs.append(MetadataEntry(key: "checksum", value: checksum)) }
        return pairs.map(ProtoWriter.entry)
    }
}
