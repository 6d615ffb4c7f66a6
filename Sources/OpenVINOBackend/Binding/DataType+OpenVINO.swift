import CTesseraOpenVINO
import TensorCore

// Element types Tessera exchanges with OpenVINO. Only types whose bytes are laid out the same
// way in ONNX raw data and in an OpenVINO tensor are mapped: every whole-byte type. Sub-byte
// types (int4, uint4) pack nibbles and strings are objects, so they are refused at the boundary
// instead of being reinterpreted.

extension DataType {
    /// OpenVINO's code for this type, or `nil` when Tessera does not pass it to OpenVINO.
    var openVINOType: tessera_ov_element_type? {
        switch self {
        case .float32: TESSERA_OV_TYPE_F32
        case .float16: TESSERA_OV_TYPE_F16
        case .bfloat16: TESSERA_OV_TYPE_BF16
        case .float64: TESSERA_OV_TYPE_F64
        case .int8: TESSERA_OV_TYPE_I8
        case .int16: TESSERA_OV_TYPE_I16
        case .int32: TESSERA_OV_TYPE_I32
        case .int64: TESSERA_OV_TYPE_I64
        case .uint8: TESSERA_OV_TYPE_U8
        case .uint16: TESSERA_OV_TYPE_U16
        case .uint32: TESSERA_OV_TYPE_U32
        case .uint64: TESSERA_OV_TYPE_U64
        // OpenVINO's boolean is one byte per element holding 0 or 1, as ONNX stores bool.
        case .bool: TESSERA_OV_TYPE_BOOLEAN
        case .float8e4m3fn: TESSERA_OV_TYPE_F8E4M3
        case .float8e5m2: TESSERA_OV_TYPE_F8E5M2
        default: nil
        }
    }

    /// The Tessera type for an OpenVINO code, or `nil` for codes Tessera does not exchange.
    init?(openVINO type: tessera_ov_element_type) {
        switch type {
        case TESSERA_OV_TYPE_F32: self = .float32
        case TESSERA_OV_TYPE_F16: self = .float16
        case TESSERA_OV_TYPE_BF16: self = .bfloat16
        case TESSERA_OV_TYPE_F64: self = .float64
        case TESSERA_OV_TYPE_I8: self = .int8
        case TESSERA_OV_TYPE_I16: self = .int16
        case TESSERA_OV_TYPE_I32: self = .int32
        case TESSERA_OV_TYPE_I64: self = .int64
        case TESSERA_OV_TYPE_U8: self = .uint8
        case TESSERA_OV_TYPE_U16: self = .uint16
        case TESSERA_OV_TYPE_U32: self = .uint32
        case TESSERA_OV_TYPE_U64: self = .uint64
        case TESSERA_OV_TYPE_BOOLEAN: self = .bool
        case TESSERA_OV_TYPE_F8E4M3: self = .float8e4m3fn
        case TESSERA_OV_TYPE_F8E5M2: self = .float8e5m2
        default: return nil
        }
    }
}

/// A readable name for an OpenVINO type code in error messages (`f32`, `i64`, `code 23`).
func typeName(_ type: tessera_ov_element_type) -> String {
    if let known = DataType(openVINO: type) { return known.onnxName }
    return type == TESSERA_OV_TYPE_STRING ? "string" : "OpenVINO element type \(type.rawValue)"
}
