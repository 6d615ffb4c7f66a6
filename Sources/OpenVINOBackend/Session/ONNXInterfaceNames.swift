import Foundation
import TensorCore

/// What an ONNX file declares for its graph's inputs (initializers excluded) and outputs, in
/// order: names, and the element types and dimensions that tell values apart.
///
/// OpenVINO merges tensor names while it imports a model (an output produced by `Identity` of an
/// input carries both names, and `ov_port_get_any_name` may return either, or an internal name
/// from an expanded function), and its C API cannot list all of a port's names. Its parameters and
/// results keep the ONNX order, though, so ``PortNaming`` maps ports to these declarations.
///
/// Reading them with a full model parse would copy every weight; this walks the protobuf wire
/// format of `ModelProto.graph` only and skips everything else by length, over a memory-mapped file.
struct ONNXInterfaceNames: Equatable {
    /// One graph input or output as the file declares it.
    struct Value: Equatable {
        var name: String
        /// `nil` when the file gives no tensor type, or one Tessera does not know.
        var dataType: DataType?
        /// `nil` when the file gives no shape; a symbolic or absent dimension is `nil`.
        var dims: [Int?]?
    }

    var inputValues: [Value]
    var outputValues: [Value]
    /// The files, relative to the model's folder, that hold initializers stored outside the
    /// model (ONNX external data), each once, in order of first use: a compiled model depends on
    /// them as much as on the model file.
    var externalDataFiles: [String] = []

    var inputs: [String] { inputValues.map(\.name) }
    var outputs: [String] { outputValues.map(\.name) }

    init(inputValues: [Value], outputValues: [Value]) {
        self.inputValues = inputValues
        self.outputValues = outputValues
    }

    /// Reads the declarations from `url`; `nil` when the file is not a model this scanner
    /// understands (the caller then falls back to OpenVINO's names).
    init?(contentsOf url: URL) {
        guard let data = try? Data(contentsOf: url, options: .alwaysMapped) else { return nil }
        let scanned: GraphScan? = data.withUnsafeBytes { raw in
            var model = WireReader(raw)
            while let (field, payload) = model.nextField() {
                // ModelProto.graph is field 7.
                if field == 7, case .bytes(let graph) = payload { return Self.scanGraph(graph) }
            }
            return nil
        }
        guard let scanned else { return nil }
        inputValues = scanned.inputs.filter { !scanned.constants.contains($0.name) }
        outputValues = scanned.outputs
        externalDataFiles = scanned.externalFiles
    }

    /// What one pass over `GraphProto` collects.
    private struct GraphScan {
        var inputs: [Value] = []
        var outputs: [Value] = []
        var constants: Set<String> = []
        var externalFiles: [String] = []

        /// Records an initializer: TensorProto name = 8, external_data = 13 (StringStringEntryProto
        /// key = 1, value = 2; the file is the entry keyed "location").
        mutating func addInitializer(_ tensor: UnsafeRawBufferPointer, named: Bool = true) {
            var reader = WireReader(tensor)
            while let (field, payload) = reader.nextField() {
                guard case .bytes(let bytes) = payload else { continue }
                if field == 8, named {
                    constants.insert(String(decoding: bytes, as: UTF8.self))
                } else if field == 13, ONNXInterfaceNames.stringField(1, in: bytes) == "location",
                    let file = ONNXInterfaceNames.stringField(2, in: bytes), !externalFiles.contains(file)
                {
                    externalFiles.append(file)
                }
            }
        }
    }

    private static func scanGraph(_ bytes: UnsafeRawBufferPointer) -> GraphScan? {
        var graph = WireReader(bytes)
        var scan = GraphScan()
        while let (field, payload) = graph.nextField() {
            guard case .bytes(let message) = payload else { continue }
            switch field {
            // GraphProto: initializer = 5 (TensorProto), input = 11 and output = 12
            // (ValueInfoProto), sparse_initializer = 15 (values = 1 and indices = 2, TensorProtos;
            // the values carry the name).
            case 5: scan.addInitializer(message)
            case 11: scan.inputs.append(valueInfo(message))
            case 12: scan.outputs.append(valueInfo(message))
            case 15:
                var sparse = WireReader(message)
                while let (inner, value) = sparse.nextField() {
                    if inner == 1 || inner == 2, case .bytes(let tensor) = value {
                        scan.addInitializer(tensor, named: inner == 1)
                    }
                }
            default: continue
            }
        }
        guard !graph.failed else { return nil }
        return scan
    }

    /// ValueInfoProto: name = 1, type = 2 → TypeProto.tensor_type = 1 → elem_type = 1 and
    /// shape = 2 → TensorShapeProto.dim = 1 → dim_value = 1 (a dim_param or a negative value leaves it unset).
    private static func valueInfo(_ bytes: UnsafeRawBufferPointer) -> Value {
        var value = Value(name: stringField(1, in: bytes) ?? "", dataType: nil, dims: nil)
        guard let type = messageField(2, in: bytes), let tensor = messageField(1, in: type) else { return value }
        var reader = WireReader(tensor)
        while let (field, payload) = reader.nextField() {
            switch (field, payload) {
            case (1, .varint(let code)): value.dataType = DataType(rawValue: Int32(truncatingIfNeeded: code))
            case (2, .bytes(let shape)):
                var dims: [Int?] = []
                var dimReader = WireReader(shape)
                while let (dimField, dimPayload) = dimReader.nextField() {
                    guard dimField == 1, case .bytes(let dim) = dimPayload else { continue }
                    var sizeReader = WireReader(dim)
                    var size: Int?
                    while let (sizeField, sizePayload) = sizeReader.nextField() {
                        // paddle2onnx writes dynamic dims as -1; OpenVINO reads any negative size as dynamic.
                        if sizeField == 1, case .varint(let raw) = sizePayload {
                            let read = Int(truncatingIfNeeded: raw)
                            size = read < 0 ? nil : read
                        }
                    }
                    dims.append(size)
                }
                value.dims = dims
            default: continue
            }
        }
        return value
    }

    private static func messageField(_ number: UInt64, in bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        var reader = WireReader(bytes)
        while let (field, payload) = reader.nextField() {
            if field == number, case .bytes(let message) = payload { return message }
        }
        return nil
    }

    private static func stringField(_ number: UInt64, in bytes: UnsafeRawBufferPointer) -> String? {
        messageField(number, in: bytes).map { String(decoding: $0, as: UTF8.self) }
    }
}

/// How OpenVINO describes one input or output port: what is needed to find the ONNX value it
/// stands for.
struct PortSignature: Equatable {
    /// `ov_port_get_any_name`: the ONNX name, or a name OpenVINO merged into the port.
    var anyName: String
    /// `nil` for a type Tessera does not exchange.
    var dataType: DataType?
    /// `nil` when the rank is dynamic; a dynamic dimension is `nil`.
    var dims: [Int?]?
}

/// Gives each OpenVINO port the ONNX name of the value it stands for.
///
/// OpenVINO's ONNX frontend drops inputs it does not need (an unused input, a zero-size one, an
/// empty `axes` it folds) and renames others: an input passed straight through to an output (by
/// `Identity`, an inference-mode `Dropout`, a one-input `Max`) is left with the *output's* name
/// only. Neither changes the order of the ports that remain, which is the file's.
enum PortNaming {
    /// The ONNX name of each of `ports` (a model's inputs, or its outputs), in their order.
    ///
    /// - When OpenVINO kept every declared value, ports and declarations pair up by position.
    /// - When it dropped some, a port whose name is one of the declared names is that value (an
    ///   anchor; anchors rise through the file's order). A renamed port between two anchors is
    ///   the first declared value between them, after any already taken, whose element type and
    ///   shape fit it. Naming it by OpenVINO's name instead would ask the caller for a tensor
    ///   under an output's name and silently ignore the real input as "unused".
    /// - A port nothing fits keeps OpenVINO's name.
    /// - Parameter declared: the file's values, or `nil` when the file could not be scanned.
    static func names(of ports: [PortSignature], declared: [ONNXInterfaceNames.Value]?) -> [String] {
        guard let declared else { return ports.map(\.anyName) }
        if declared.count == ports.count { return declared.map(\.name) }

        var position: [String: Int] = [:]
        for (index, value) in declared.enumerated() where position[value.name] == nil { position[value.name] = index }
        var anchors = [Int?](repeating: nil, count: ports.count)
        var lastAnchor = -1
        for (index, port) in ports.enumerated() {
            if let at = position[port.anyName], at > lastAnchor {
                anchors[index] = at
                lastAnchor = at
            }
        }

        var names: [String] = []
        var next = 0  // the first declared value not yet taken or passed
        for (index, port) in ports.enumerated() {
            if let at = anchors[index] {
                names.append(declared[at].name)
                next = at + 1
                continue
            }
            let limit = anchors[(index + 1)...].lazy.compactMap { $0 }.first ?? declared.count
            if next < limit, let at = (next..<limit).first(where: { fits(port, declared[$0]) }) {
                names.append(declared[at].name)
                next = at + 1
            } else {
                names.append(port.anyName)
            }
        }
        return names
    }

    /// Whether a port could be this declared value: the same element type and rank, and equal
    /// sizes wherever both are fixed (unknowns on either side fit anything).
    static func fits(_ port: PortSignature, _ value: ONNXInterfaceNames.Value) -> Bool {
        if let portType = port.dataType, let declaredType = value.dataType, portType != declaredType { return false }
        guard let portDims = port.dims, let declaredDims = value.dims else { return true }
        guard portDims.count == declaredDims.count else { return false }
        return zip(portDims, declaredDims).allSatisfy { actual, wanted in
            actual == nil || wanted == nil || actual == wanted
        }
    }
}

/// A forward-only reader of protobuf fields; stops (and sets ``failed``) at malformed input.
private struct WireReader {
    enum Payload {
        case varint(UInt64)
        case fixed
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
        case 0:
            guard let value = varint() else { return fail() }
            return (key >> 3, .varint(value))
        case 1: return skip(8) ? (key >> 3, .fixed) : fail()
        case 5: return skip(4) ? (key >> 3, .fixed) : fail()
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
