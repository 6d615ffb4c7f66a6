import Foundation
internal import SwiftProtobuf
import TensorCore

extension ProtoReader {
    /// Decodes a `TensorProto`: raw data is shared, typed fields are packed into raw bytes, and
    /// external data is a view of the mapped file.
    func tensor(_ proto: Onnx_TensorProto) throws(ONNXModelError) -> StoredTensor {
        let name = proto.name
        func fail(_ reason: String) -> ONNXModelError { .invalidTensor(name: name, reason: reason) }

        let type: DataType
        do { type = try DataType(onnxCode: proto.dataType) } catch { throw fail(error.description) }
        for dim in proto.dims where dim < 0 || dim > Limits.maximumDimension {
            throw .dimensionOutOfRange(value: name, dim: dim)
        }
        let shape = proto.dims.map { Int($0) }
        let count: Int
        do { count = try Tensor.elementCount(of: shape) } catch { throw fail(error.description) }

        var encoding = StoredTensor.Encoding.raw
        let tensor: Tensor
        do {
            if proto.hasDataLocation, proto.dataLocation == .external {
                guard let externalData else {
                    throw ONNXModelError.externalData(
                        tensor: name, location: "?", reason: "external data needs the model's file location")
                }
                let reference = try ExternalDataResolver.reference(from: proto.externalData, tensor: name)
                encoding = .external(reference)
                let bytes = try externalData.bytes(for: reference, tensor: name)
                tensor = try Tensor(dataType: type, shape: shape, bytes: bytes)
            } else if type == .string {
                encoding = .typedField
                tensor = try Tensor(shape: shape, strings: proto.stringData)
            } else if proto.hasRawData {
                tensor = try Tensor(dataType: type, shape: shape, bytes: proto.rawData)
            } else {
                encoding = .typedField
                tensor = try Tensor(dataType: type, shape: shape, bytes: try Self.packTypedField(proto, type: type, count: count))
            }
        } catch let error as TensorError {
            throw fail(error.description)
        } catch let error as ONNXModelError {
            throw error
        } catch {
            throw fail("\(error)")
        }
        var stored = StoredTensor(name: name, tensor: tensor, encoding: encoding)
        stored.docString = proto.docString
        stored.retained = RetainedTensorFields(
            explicitlyEmpty: explicitlyEmpty([
                ("name", proto.hasName && proto.name.isEmpty), ("doc_string", proto.hasDocString && proto.docString.isEmpty),
            ]),
            segment: proto.hasSegment ? proto.segment : nil, metadataProps: proto.metadataProps)
        return stored
    }

    /// Packs the typed repeated field ONNX uses for `type` into little-endian raw bytes.
    private static func packTypedField(_ proto: Onnx_TensorProto, type: DataType, count: Int) throws(ONNXModelError)
        -> Data
    {
        func bytes<T: BitwiseCopyable>(_ values: [T]) -> Data { values.withUnsafeBytes { Data($0) } }
        func narrowed<T: FixedWidthInteger & BitwiseCopyable>(_: T.Type) -> Data {
            let values: [T] = proto.int32Data.map { T(truncatingIfNeeded: $0) }
            return bytes(values)
        }
        switch type {
        case .float32, .complex64: return bytes(proto.floatData)
        case .float64, .complex128: return bytes(proto.doubleData)
        case .int64: return bytes(proto.int64Data)
        case .uint64: return bytes(proto.uint64Data)
        case .uint32: return bytes(proto.uint64Data.map { UInt32(truncatingIfNeeded: $0) })
        case .int32: return bytes(proto.int32Data)
        case .int16: return narrowed(Int16.self)
        case .uint16, .float16, .bfloat16: return narrowed(UInt16.self)
        case .int8: return narrowed(Int8.self)
        case .uint8, .bool, .float8e4m3fn, .float8e4m3fnuz, .float8e5m2, .float8e5m2fnuz, .float8e8m0:
            return narrowed(UInt8.self)
        // Sub-byte types: each int32_data entry holds one packed byte (two 4-bit or four 2-bit values).
        case .uint4, .int4, .float4e2m1, .uint2, .int2: return narrowed(UInt8.self)
        case .float6e2m3, .float6e3m2, .string:
            throw .invalidTensor(name: proto.name, reason: "\(type) in a typed field is not supported; use raw_data")
        }
    }
}

/// Resolves `external_data` references against the model's folder, refusing any location that
/// would leave it, and maps each data file once.
final class ExternalDataResolver {
    private let directory: URL
    private var files: [String: MappedFile] = [:]

    init(directory: URL) {
        self.directory = directory.standardizedFileURL
    }

    /// Reads `location`, `offset`, `length` and `checksum` from the key/value list.
    static func reference(from entries: [Onnx_StringStringEntryProto], tensor: String) throws(ONNXModelError)
        -> ExternalDataReference
    {
        var reference = ExternalDataReference(location: "")
        for entry in entries {
            switch entry.key {
            case "location": reference.location = entry.value
            case "offset", "length":
                guard let number = Int(entry.value), number >= 0 else {
                    throw .externalData(
                        tensor: tensor, location: reference.location, reason: "\(entry.key) '\(entry.value)' is not a valid size")
                }
                if entry.key == "offset" { reference.offset = number } else { reference.length = number }
            case "checksum": reference.checksum = entry.value
            default: continue  // other keys are allowed by the spec and carry nothing Tessera needs
            }
        }
        guard !reference.location.isEmpty else {
            throw .externalData(tensor: tensor, location: "", reason: "no location given")
        }
        return reference
    }

    /// The referenced bytes as a shared view of the mapped file.
    func bytes(for reference: ExternalDataReference, tensor: String) throws(ONNXModelError) -> Data {
        func fail(_ reason: String) -> ONNXModelError {
            .externalData(tensor: tensor, location: reference.location, reason: reason)
        }
        let url = try confinedURL(reference.location, tensor: tensor)
        let file: MappedFile
        if let cached = files[url.path] {
            file = cached
        } else {
            do { file = try MappedFile(url: url) } catch { throw fail(error.description) }
            files[url.path] = file
        }
        guard reference.offset <= file.size else {
            throw fail("offset \(reference.offset) is past the end of the \(file.size)-byte file")
        }
        let length = reference.length ?? (file.size - reference.offset)
        guard length <= file.size - reference.offset else {
            throw fail("\(length) bytes at offset \(reference.offset) run past the end of the \(file.size)-byte file")
        }
        return file.view(offset: reference.offset, count: length)
    }

    /// `location` resolved inside the model's folder, or an error if it is absolute, climbs out
    /// with `..`, or reaches outside through a symbolic link.
    func confinedURL(_ location: String, tensor: String) throws(ONNXModelError) -> URL {
        try Self.confinedURL(location, in: directory, tensor: tensor)
    }

    static func confinedURL(_ location: String, in directory: URL, tensor: String) throws(ONNXModelError) -> URL {
        func fail(_ reason: String) -> ONNXModelError { .externalData(tensor: tensor, location: location, reason: reason) }
        let isWindowsDrive = location.range(of: #"^[A-Za-z]:"#, options: .regularExpression) != nil
        guard !location.hasPrefix("/"), !location.hasPrefix("\\"), !isWindowsDrive else {
            throw fail("absolute paths are refused; locations are relative to the model's folder")
        }
        let components = location.split(whereSeparator: { $0 == "/" || $0 == "\\" })
        guard !components.contains("..") else { throw fail("'..' would leave the model's folder") }
        let url = components.reduce(directory) { $0.appendingPathComponent(String($1)) }
        let root = directory.resolvingSymlinksInPath().path
        let resolved = url.resolvingSymlinksInPath().path
        guard resolved == root || resolved.hasPrefix(root.hasSuffix("/") ? root : root + "/") else {
            throw fail("a symbolic link leads outside the model's folder")
        }
        return url
    }
}
