public import TensorCore

extension DataType {
    /// The Open Inference Protocol's name for this type (`FP32`, `INT64`, `BYTES`, …); `nil` for
    /// the ONNX types the protocol has no name for (float8, int4, complex).
    public var inferenceProtocolName: String? {
        switch self {
        case .bool: "BOOL"
        case .uint8: "UINT8"
        case .uint16: "UINT16"
        case .uint32: "UINT32"
        case .uint64: "UINT64"
        case .int8: "INT8"
        case .int16: "INT16"
        case .int32: "INT32"
        case .int64: "INT64"
        case .float16: "FP16"
        case .bfloat16: "BF16"
        case .float32: "FP32"
        case .float64: "FP64"
        case .string: "BYTES"
        default: nil
        }
    }

    /// The type the Open Inference Protocol calls `name`; `nil` for a name it does not define.
    public init?(inferenceProtocolName name: String) {
        let all: [DataType] = [
            .bool, .uint8, .uint16, .uint32, .uint64, .int8, .int16, .int32, .int64, .float16, .bfloat16, .float32,
            .float64, .string,
        ]
        guard let type = all.first(where: { $0.inferenceProtocolName == name }) else { return nil }
        self = type
    }
}
