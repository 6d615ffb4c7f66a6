public import Foundation

/// A named, typed attribute of a node.
public struct Attribute: Sendable {
    /// The typed payload.
    public enum Value: Sendable {
        case float(Float)
        case int(Int64)
        /// ONNX strings are bytes; most are UTF-8 (see ``Attribute/stringValue``).
        case string(Data)
        case tensor(StoredTensor)
        case graph(Graph)
        case floats([Float])
        case ints([Int64])
        case strings([Data])
        case tensors([StoredTensor])
        case graphs([Graph])
        case typeProto(ValueType)
        case typeProtos([ValueType])
        /// A sparse tensor attribute, kept as serialized bytes: no operator Tessera reads uses one.
        case sparseTensor(Data)
        case sparseTensors([Data])
        /// A reference to an attribute of the enclosing function (`ref_attr_name`).
        case reference(String)
    }

    public var name: String
    public var value: Value
    public var docString: String

    public init(name: String, value: Value, docString: String = "") {
        self.name = name
        self.value = value
        self.docString = docString
    }

    /// The ONNX name of the attribute's type (`INT`, `FLOATS`, `GRAPH`, …), for messages.
    public var typeName: String {
        switch value {
        case .float: "FLOAT"
        case .int: "INT"
        case .string: "STRING"
        case .tensor: "TENSOR"
        case .graph: "GRAPH"
        case .floats: "FLOATS"
        case .ints: "INTS"
        case .strings: "STRINGS"
        case .tensors: "TENSORS"
        case .graphs: "GRAPHS"
        case .typeProto: "TYPE_PROTO"
        case .typeProtos: "TYPE_PROTOS"
        case .sparseTensor: "SPARSE_TENSOR"
        case .sparseTensors: "SPARSE_TENSORS"
        case .reference: "REFERENCE"
        }
    }

    /// The value as UTF-8 text, for `STRING` attributes.
    public var stringValue: String? {
        if case .string(let bytes) = value { String(decoding: bytes, as: UTF8.self) } else { nil }
    }

    /// The subgraphs this attribute holds (one for `GRAPH`, several for `GRAPHS`).
    public var subgraphs: [Graph] {
        switch value {
        case .graph(let g): [g]
        case .graphs(let gs): gs
        default: []
        }
    }
}
