internal import SwiftProtobuf

// Parts of the protobuf messages that the IR carries without interpreting them, so that
// load → save keeps them. They are internal: callers of the IR never see protobuf types.

// Proto2 keeps "set to the empty string" apart from "absent", and ONNX's own tools compare
// messages with that distinction, so each retained struct remembers which optional fields were
// present but empty (or zero) in the file; the writer sets exactly those again.

struct RetainedModelFields: Sendable {
    var explicitlyEmpty: Set<String> = []
    var trainingInfo: [Onnx_TrainingInfoProto] = []
    var functions: [Onnx_FunctionProto] = []
    var configuration: [Onnx_DeviceConfigurationProto] = []
    var unknownFields = SwiftProtobuf.UnknownStorage()

    var localFunctionNames: Set<String> {
        Set(functions.map { "\(OpsetImport.canonicalDomain($0.domain)):\($0.name)" })
    }
}

struct RetainedGraphFields: Sendable {
    var explicitlyEmpty: Set<String> = []
    var sparseInitializers: [Onnx_SparseTensorProto] = []
    var quantizationAnnotation: [Onnx_TensorAnnotation] = []
    var metadataProps: [Onnx_StringStringEntryProto] = []
    var unknownFields = SwiftProtobuf.UnknownStorage()
}

struct RetainedNodeFields: Sendable {
    var explicitlyEmpty: Set<String> = []
    var metadataProps: [Onnx_StringStringEntryProto] = []
    var deviceConfigurations: [Onnx_NodeDeviceConfigurationProto] = []
    var unknownFields = SwiftProtobuf.UnknownStorage()
}

struct RetainedTensorFields: Sendable {
    var explicitlyEmpty: Set<String> = []
    var segment: Onnx_TensorProto.Segment?
    var metadataProps: [Onnx_StringStringEntryProto] = []
}
