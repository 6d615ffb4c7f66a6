public import Foundation
internal import SwiftProtobuf

extension StoredTensor {
    /// Parses a serialized `TensorProto`, as ONNX's test data stores inputs and expected outputs
    /// (`input_0.pb`). External data is refused: a lone tensor file has no model folder.
    public init(serializedBytes bytes: Data) throws(ONNXModelError) {
        let proto: Onnx_TensorProto
        do { proto = try Onnx_TensorProto(serializedBytes: bytes) } catch {
            throw .invalidTensor(name: "?", reason: "not a serialized TensorProto (\(error))")
        }
        self = try ProtoReader(baseDirectory: nil).tensor(proto)
    }

    /// Serializes the tensor as a `TensorProto` with its payload in `raw_data` (strings in `string_data`).
    public func serializedBytes() throws(ONNXModelError) -> Data {
        var inline = self
        inline.encoding = .raw
        do { return try ProtoWriter(externalData: nil).tensor(inline).serializedBytes() } catch {
            throw .unwritable(reason: "\(error)")
        }
    }
}
