import Foundation
internal import SwiftProtobuf
import TensorCore

/// Converts decoded protobuf messages into the IR, checking what the IR promises: known data
/// types, dimensions in range, payloads that match their shapes, and external data confined to
/// the model's folder.
///
/// Type dimensions written as a negative `dim_value` or an empty `dim_param` are read as unknown
/// (exporters' spellings of "dynamic"); a save writes them as unknown, with neither field set.
///
/// A class because it caches one mapping per external data file for the duration of a load.
final class ProtoReader {
    let externalData: ExternalDataResolver?

    /// - Parameter baseDirectory: the model's folder, for external data; `nil` refuses external data.
    init(baseDirectory: URL?) {
        externalData = baseDirectory.map(ExternalDataResolver.init)
    }

    func model(_ proto: Onnx_ModelProto) throws(ONNXModelError) -> Model {
        guard proto.hasGraph else {
            throw .notAModel(reason: proto.hasIrVersion ? "the model has no graph" : "no ONNX model fields found")
        }
        var model = Model(
            graph: try graph(proto.graph),
            opsetImports: proto.opsetImport.map { OpsetImport(domain: $0.domain, version: $0.version) },
            irVersion: proto.irVersion)
        model.producerName = proto.producerName
        model.producerVersion = proto.producerVersion
        model.domain = proto.domain
        model.modelVersion = proto.modelVersion
        model.docString = proto.docString
        model.metadata = proto.metadataProps.map { MetadataEntry(key: $0.key, value: $0.value) }
        model.retained = RetainedModelFields(
            explicitlyEmpty: explicitlyEmpty([
                ("producer_name", proto.hasProducerName && proto.producerName.isEmpty),
                ("producer_version", proto.hasProducerVersion && proto.producerVersion.isEmpty),
                ("domain", proto.hasDomain && proto.domain.isEmpty),
                ("doc_string", proto.hasDocString && proto.docString.isEmpty),
                ("model_version", proto.hasModelVersion && proto.modelVersion == 0),
                ("opset_import.domain", proto.opsetImport.contains { $0.hasDomain && $0.domain.isEmpty }),
            ]),
            trainingInfo: proto.trainingInfo, functions: proto.functions, configuration: proto.configuration,
            unknownFields: proto.unknownFields)
        return model
    }

    func graph(_ proto: Onnx_GraphProto) throws(ONNXModelError) -> Graph {
        var graph = Graph(
            name: proto.name,
            nodes: try proto.node.map { (n) throws(ONNXModelError) in try node(n) },
            initializers: try proto.initializer.map { (t) throws(ONNXModelError) in try tensor(t) },
            inputs: try proto.input.map { (v) throws(ONNXModelError) in try valueInfo(v) },
            outputs: try proto.output.map { (v) throws(ONNXModelError) in try valueInfo(v) },
            valueInfo: try proto.valueInfo.map { (v) throws(ONNXModelError) in try valueInfo(v) })
        graph.docString = proto.docString
        graph.retained = RetainedGraphFields(
            explicitlyEmpty: explicitlyEmpty([
                ("name", proto.hasName && proto.name.isEmpty), ("doc_string", proto.hasDocString && proto.docString.isEmpty),
            ]),
            sparseInitializers: proto.sparseInitializer, quantizationAnnotation: proto.quantizationAnnotation,
            metadataProps: proto.metadataProps, unknownFields: proto.unknownFields)
        return graph
    }

    func node(_ proto: Onnx_NodeProto) throws(ONNXModelError) -> Node {
        var node = Node(
            name: proto.name, opType: proto.opType, domain: proto.domain, inputs: proto.input, outputs: proto.output,
            attributes: try proto.attribute.map { (a) throws(ONNXModelError) in try attribute(a) })
        node.docString = proto.docString
        node.overload = proto.overload
        node.retained = RetainedNodeFields(
            explicitlyEmpty: explicitlyEmpty([
                ("name", proto.hasName && proto.name.isEmpty), ("domain", proto.hasDomain && proto.domain.isEmpty),
                ("doc_string", proto.hasDocString && proto.docString.isEmpty),
                ("overload", proto.hasOverload && proto.overload.isEmpty),
            ]),
            metadataProps: proto.metadataProps, deviceConfigurations: proto.deviceConfigurations,
            unknownFields: proto.unknownFields)
        return node
    }

    func attribute(_ proto: Onnx_AttributeProto) throws(ONNXModelError) -> Attribute {
        let value: Attribute.Value
        if proto.hasRefAttrName {
            value = .reference(proto.refAttrName)
        } else {
            switch proto.type {
            case .float: value = .float(proto.f)
            case .int: value = .int(proto.i)
            case .string: value = .string(proto.s)
            case .tensor: value = .tensor(try tensor(proto.t))
            case .graph: value = .graph(try graph(proto.g))
            case .floats: value = .floats(proto.floats)
            case .ints: value = .ints(proto.ints)
            case .strings: value = .strings(proto.strings)
            case .tensors: value = .tensors(try proto.tensors.map { (t) throws(ONNXModelError) in try tensor(t) })
            case .graphs: value = .graphs(try proto.graphs.map { (g) throws(ONNXModelError) in try graph(g) })
            case .typeProto: value = .typeProto(try valueType(proto.tp, of: proto.name))
            case .typeProtos:
                value = .typeProtos(try proto.typeProtos.map { (t) throws(ONNXModelError) in try valueType(t, of: proto.name) })
            case .sparseTensor: value = .sparseTensor(try serialized(proto.sparseTensor))
            case .sparseTensors:
                value = .sparseTensors(try proto.sparseTensors.map { (t) throws(ONNXModelError) in try serialized(t) })
            case .undefined:
                value = try Self.inferredAttributeValue(proto)
            }
        }
        return Attribute(name: proto.name, value: value, docString: proto.docString)
    }

    /// IR version 1 files may omit `type`; the one populated field decides it, as ONNX's checker does.
    private static func inferredAttributeValue(_ proto: Onnx_AttributeProto) throws(ONNXModelError) -> Attribute.Value {
        if proto.hasF { return .float(proto.f) }
        if proto.hasI { return .int(proto.i) }
        if proto.hasS { return .string(proto.s) }
        if !proto.floats.isEmpty { return .floats(proto.floats) }
        if !proto.ints.isEmpty { return .ints(proto.ints) }
        if !proto.strings.isEmpty { return .strings(proto.strings) }
        throw .invalidGraph("attribute '\(proto.name)' has no type and no value")
    }

    func valueInfo(_ proto: Onnx_ValueInfoProto) throws(ONNXModelError) -> ValueInfo {
        ValueInfo(
            name: proto.name, type: proto.hasType ? try valueType(proto.type, of: proto.name) : nil,
            docString: proto.docString)
    }

    func valueType(_ proto: Onnx_TypeProto, of value: String) throws(ONNXModelError) -> ValueType {
        let kind: ValueType.Kind
        switch proto.value {
        case .tensorType(let t):
            kind = .tensor(try tensorType(elemType: t.hasElemType ? t.elemType : 0, shape: t.hasShape ? t.shape : nil, of: value))
        case .sparseTensorType(let t):
            kind = .sparseTensor(
                try tensorType(elemType: t.hasElemType ? t.elemType : 0, shape: t.hasShape ? t.shape : nil, of: value))
        case .sequenceType(let s):
            kind = .sequence(s.hasElemType ? try valueType(s.elemType, of: value) : nil)
        case .mapType(let m):
            kind = .map(
                key: m.hasKeyType ? try elementType(m.keyType, of: value) : nil,
                value: m.hasValueType ? try valueType(m.valueType, of: value) : nil)
        case .optionalType(let o):
            kind = .optional(o.hasElemType ? try valueType(o.elemType, of: value) : nil)
        case .opaqueType(let o):
            kind = .opaque(domain: o.domain, name: o.name)
        case nil:
            kind = .unspecified
        }
        return ValueType(kind, denotation: proto.denotation)
    }

    private func tensorType(elemType: Int32, shape: Onnx_TensorShapeProto?, of value: String) throws(ONNXModelError)
        -> TensorType
    {
        let dims = try shape.map { (shape) throws(ONNXModelError) in
            try shape.dim.map { (d) throws(ONNXModelError) -> Dim in
                switch d.value {
                case .dimValue(let v):
                    // paddle2onnx (and older tf2onnx) write dynamic dims as -1; ONNX Runtime and
                    // OpenVINO read any negative size as unknown, so Tessera does too.
                    if v < 0 { return .unknown }
                    guard v <= Limits.maximumDimension else { throw .dimensionOutOfRange(value: value, dim: v) }
                    return .value(Int(v))
                // An empty name ties the dimension to nothing, as ONNX Runtime reads it.
                case .dimParam(let name): return name.isEmpty ? .unknown : .symbol(name)
                case nil: return .unknown
                }
            }
        }
        let denotations = shape?.dim.map(\.denotation) ?? []
        return TensorType(
            elementType: try elementType(elemType, of: value), dims: dims,
            dimDenotations: denotations.allSatisfy(\.isEmpty) ? [] : denotations)
    }

    /// 0 (`UNDEFINED`) is allowed in types, meaning "not known"; other unknown codes are errors.
    private func elementType(_ code: Int32, of value: String) throws(ONNXModelError) -> DataType? {
        if code == 0 { return nil }
        do { return try DataType(onnxCode: code) } catch {
            throw .invalidTensor(name: value, reason: error.description)
        }
    }

    func explicitlyEmpty(_ fields: [(String, Bool)]) -> Set<String> {
        Set(fields.filter(\.1).map(\.0))
    }

    private func serialized(_ message: some SwiftProtobuf.Message) throws(ONNXModelError) -> Data {
        do { return try message.serializedBytes() } catch { throw .unwritable(reason: "\(error)") }
    }
}
