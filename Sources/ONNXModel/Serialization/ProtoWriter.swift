import Foundation
internal import SwiftProtobuf
import TensorCore

/// Converts the IR back into protobuf messages. Tensors bound for external files are handed to
/// an ``ExternalDataWriter``, which streams their bytes and returns where they landed.
struct ProtoWriter {
    var externalData: ExternalDataWriter?

    func model(_ model: Model) throws(ONNXModelError) -> Onnx_ModelProto {
        var proto = Onnx_ModelProto()
        proto.irVersion = model.irVersion
        proto.opsetImport = model.opsetImports.map {
            var entry = Onnx_OperatorSetIdProto()
            setIfPresent($0.domain, explicit: model.retained.explicitlyEmpty.contains("opset_import.domain")) { entry.domain = $0 }
            entry.version = $0.version
            return entry
        }
        let empty = model.retained.explicitlyEmpty
        setIfPresent(model.producerName, explicit: empty.contains("producer_name")) { proto.producerName = $0 }
        setIfPresent(model.producerVersion, explicit: empty.contains("producer_version")) { proto.producerVersion = $0 }
        setIfPresent(model.domain, explicit: empty.contains("domain")) { proto.domain = $0 }
        if model.modelVersion != 0 || empty.contains("model_version") { proto.modelVersion = model.modelVersion }
        setIfPresent(model.docString, explicit: empty.contains("doc_string")) { proto.docString = $0 }
        proto.graph = try graph(model.graph)
        proto.metadataProps = model.metadata.map(Self.entry)
        proto.trainingInfo = model.retained.trainingInfo
        proto.functions = model.retained.functions
        proto.configuration = model.retained.configuration
        proto.unknownFields = model.retained.unknownFields
        return proto
    }

    func graph(_ graph: Graph) throws(ONNXModelError) -> Onnx_GraphProto {
        var proto = Onnx_GraphProto()
        proto.node = try graph.nodes.map { (n) throws(ONNXModelError) in try node(n) }
        setIfPresent(graph.name, explicit: graph.retained.explicitlyEmpty.contains("name")) { proto.name = $0 }
        proto.initializer = try graph.initializers.map { (t) throws(ONNXModelError) in try tensor(t) }
        proto.sparseInitializer = graph.retained.sparseInitializers
        setIfPresent(graph.docString, explicit: graph.retained.explicitlyEmpty.contains("doc_string")) {
            proto.docString = $0
        }
        proto.input = graph.inputs.map(valueInfo)
        proto.output = graph.outputs.map(valueInfo)
        proto.valueInfo = graph.valueInfo.map(valueInfo)
        proto.quantizationAnnotation = graph.retained.quantizationAnnotation
        proto.metadataProps = graph.retained.metadataProps
        proto.unknownFields = graph.retained.unknownFields
        return proto
    }

    func node(_ node: Node) throws(ONNXModelError) -> Onnx_NodeProto {
        var proto = Onnx_NodeProto()
        proto.input = node.inputs
        proto.output = node.outputs
        let empty = node.retained.explicitlyEmpty
        setIfPresent(node.name, explicit: empty.contains("name")) { proto.name = $0 }
        proto.opType = node.opType
        setIfPresent(node.domain, explicit: empty.contains("domain")) { proto.domain = $0 }
        setIfPresent(node.overload, explicit: empty.contains("overload")) { proto.overload = $0 }
        proto.attribute = try node.attributes.map { (a) throws(ONNXModelError) in try attribute(a) }
        setIfPresent(node.docString, explicit: empty.contains("doc_string")) { proto.docString = $0 }
        proto.metadataProps = node.retained.metadataProps
        proto.deviceConfigurations = node.retained.deviceConfigurations
        proto.unknownFields = node.retained.unknownFields
        return proto
    }

    func attribute(_ attribute: Attribute) throws(ONNXModelError) -> Onnx_AttributeProto {
        var proto = Onnx_AttributeProto()
        proto.name = attribute.name
        setIfPresent(attribute.docString) { proto.docString = $0 }
        switch attribute.value {
        case .float(let v): proto.type = .float; proto.f = v
        case .int(let v): proto.type = .int; proto.i = v
        case .string(let v): proto.type = .string; proto.s = v
        case .tensor(let t): proto.type = .tensor; proto.t = try tensor(t)
        case .graph(let g): proto.type = .graph; proto.g = try graph(g)
        case .floats(let v): proto.type = .floats; proto.floats = v
        case .ints(let v): proto.type = .ints; proto.ints = v
        case .strings(let v): proto.type = .strings; proto.strings = v
        case .tensors(let ts):
            proto.type = .tensors
            proto.tensors = try ts.map { (t) throws(ONNXModelError) in try tensor(t) }
        case .graphs(let gs):
            proto.type = .graphs
            proto.graphs = try gs.map { (g) throws(ONNXModelError) in try graph(g) }
        case .typeProto(let t): proto.type = .typeProto; proto.tp = valueType(t)
        case .typeProtos(let ts): proto.type = .typeProtos; proto.typeProtos = ts.map(valueType)
        case .sparseTensor(let bytes):
            proto.type = .sparseTensor
            proto.sparseTensor = try Self.decode(Onnx_SparseTensorProto.self, bytes)
        case .sparseTensors(let list):
            proto.type = .sparseTensors
            proto.sparseTensors = try list.map { (b) throws(ONNXModelError) in try Self.decode(Onnx_SparseTensorProto.self, b) }
        case .reference(let name): proto.refAttrName = name
        }
        return proto
    }

    func valueInfo(_ info: ValueInfo) -> Onnx_ValueInfoProto {
        var proto = Onnx_ValueInfoProto()
        proto.name = info.name
        if let type = info.type { proto.type = valueType(type) }
        setIfPresent(info.docString) { proto.docString = $0 }
        return proto
    }

    func valueType(_ type: ValueType) -> Onnx_TypeProto {
        var proto = Onnx_TypeProto()
        switch type.kind {
        case .tensor(let t):
            var tensor = Onnx_TypeProto.Tensor()
            if let element = t.elementType { tensor.elemType = element.rawValue }
            if let shape = shape(t) { tensor.shape = shape }
            proto.tensorType = tensor
        case .sparseTensor(let t):
            var tensor = Onnx_TypeProto.SparseTensor()
            if let element = t.elementType { tensor.elemType = element.rawValue }
            if let shape = shape(t) { tensor.shape = shape }
            proto.sparseTensorType = tensor
        case .sequence(let element):
            var sequence = Onnx_TypeProto.Sequence()
            if let element { sequence.elemType = valueType(element) }
            proto.sequenceType = sequence
        case .map(let key, let value):
            var map = Onnx_TypeProto.Map()
            if let key { map.keyType = key.rawValue }
            if let value { map.valueType = valueType(value) }
            proto.mapType = map
        case .optional(let element):
            var optional = Onnx_TypeProto.Optional()
            if let element { optional.elemType = valueType(element) }
            proto.optionalType = optional
        case .opaque(let domain, let name):
            var opaque = Onnx_TypeProto.Opaque()
            setIfPresent(domain) { opaque.domain = $0 }
            setIfPresent(name) { opaque.name = $0 }
            proto.opaqueType = opaque
        case .unspecified:
            break
        }
        setIfPresent(type.denotation) { proto.denotation = $0 }
        return proto
    }

    /// Symbolic expressions are written as their formula in `dim_param`, as ONNX's own inference does.
    private func shape(_ type: TensorType) -> Onnx_TensorShapeProto? {
        guard let dims = type.dims else { return nil }
        var shape = Onnx_TensorShapeProto()
        shape.dim = dims.enumerated().map { index, dim in
            var d = Onnx_TensorShapeProto.Dimension()
            if let value = dim.value {
                d.dimValue = Int64(value)
            } else if !dim.isUnknown {
                d.dimParam = dim.description
            }
            if index < type.dimDenotations.count { setIfPresent(type.dimDenotations[index]) { d.denotation = $0 } }
            return d
        }
        return shape
    }

    static func entry(_ pair: MetadataEntry) -> Onnx_StringStringEntryProto {
        var entry = Onnx_StringStringEntryProto()
        entry.key = pair.key
        entry.value = pair.value
        return entry
    }

    private static func decode<M: SwiftProtobuf.Message>(_: M.Type, _ bytes: Data) throws(ONNXModelError) -> M {
        do { return try M(serializedBytes: bytes) } catch { throw .unwritable(reason: "retained message: \(error)") }
    }
}

/// Optional string fields are written when non-empty, or when the file they came from had them
/// present but empty (`explicit`), so a load → save round trip reproduces the message exactly.
func setIfPresent(_ value: String, explicit: Bool = false, _ set: (String) -> Void) {
    if !value.isEmpty || explicit { set(value) }
}
