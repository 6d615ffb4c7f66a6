import Foundation

/// The names an ONNX file declares for its graph's inputs (initializers excluded) and outputs, in
/// order.
///
/// OpenVINO merges tensor names while it imports a model (an output produced by `Identity` of an
/// input carries both names, and `ov_port_get_any_name` may return either, or an internal name
/// from an expanded function), and its C API cannot list all of a port's names. Its parameters and
/// results keep the ONNX order, though, so the session maps ports to these names by position.
///
/// Reading them with a full model parse would copy every weight; this walks the protobuf wire
/// format of `ModelProto.graph` only and skips everything else by length, over a memory-mapped file.
struct ONNXInterfaceNames: Equatable {
    var inputs: [String]
    var outputs: [String]

    /// Reads the names from `url`; `nil` when the file is not a model this scanner understands
    /// (the caller then falls back to OpenVINO's names).
    init?(contentsOf url: URL) {
        guard let data = try? Data(contentsOf: url, options: .alwaysMapped) else { return nil }
        let names: ([String], [String], Set<String>)? = data.withUnsafeBytes { raw in
            var model = WireReader(raw)
            while let (field, payload) = model.nextField() {
                // ModelProto.graph is field 7.
                if field == 7, case .bytes(let graph) = payload { return Self.scanGraph(graph) }
            }
            return nil
        }
        guard let (inputs, outputs, constants) = names else { return nil }
        self.inputs = inputs.filter { !constants.contains($0) }
        self.outputs = outputs
    }

    private static func scanGraph(_ bytes: UnsafeRawBufferPointer) -> ([String], [String], Set<String>)? {
        var graph = WireReader(bytes)
        var inputs: [String] = []
        var outputs: [String] = []
        var constants: Set<String> = []
        while let (field, payload) = graph.nextField() {
            guard case .bytes(let message) = payload else { continue }
            switch field {
            // GraphProto: initializer = 5 (TensorProto, name = 8), input = 11 and output = 12
            // (ValueInfoProto, name = 1), sparse_initializer = 15 (values = 1 → TensorProto name = 8).
            case 5: constants.insert(stringField(8, in: message) ?? "")
            case 11: inputs.append(stringField(1, in: message) ?? "")
            case 12: outputs.append(stringField(1, in: message) ?? "")
            case 15:
                var sparse = WireReader(message)
                while let (inner, value) = sparse.nextField() {
                    if inner == 1, case .bytes(let values) = value {
                        constants.insert(stringField(8, in: values) ?? "")
                    }
                }
            default: continue
            }
        }
        guard !graph.failed else { return nil }
        return (inputs, outputs, constants)
    }

    private static func stringField(_ number: UInt64, in bytes: UnsafeRawBufferPointer) -> String? {
        var reader = WireReader(bytes)
        while let (field, payload) = reader.nextField() {
            if field == number, case .bytes(let text) = payload { return String(decoding: text, as: UTF8.self) }
        }
        return nil
    }
}

/// A forward-only reader of protobuf fields; stops (and sets ``failed``) at malformed input.
private struct WireReader {
    enum Payload {
        case scalar
        case bytes(UnsafeRawBufferPointer)
    }

    private let bytes: UnsafeRawBufferPointer
    private var offset = 0
    private(set) var failed = false

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    mutating func nextField() -> (UInt64, Payload)? {
        guard !failed, offset < bytes.count else { return nil }
        guard let key = varint() else { return fail() }
        switch key & 7 {
        case 0: return varint() == nil ? fail() : (key >> 3, .scalar)
        case 1: return skip(8) ? (key >> 3, .scalar) : fail()
        case 5: return skip(4) ? (key >> 3, .scalar) : fail()
        case 2:
            guard let length = varint(), length <= UInt64(bytes.count - offset) else { return fail() }
            let start = offset
            offset += Int(length)
            return (key >> 3, .bytes(UnsafeRawBufferPointer(rebasing: bytes[start..<offset])))
        default: return fail()  // groups (3, 4) do not occur in ONNX files
        }
    }

    private mutating func fail() -> (UInt64, Payload)? {
        failed = true
        return nil
    }

    private mutating func skip(_ count: Int) -> Bool {
        guard count <= bytes.count - offset else { return false }
        offset += count
        return true
    }

    private mutating func varint() -> UInt64? {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while offset < bytes.count, shift < 64 {
            let byte = bytes[offset]
            offset += 1
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
        }
        return nil
    }
}
