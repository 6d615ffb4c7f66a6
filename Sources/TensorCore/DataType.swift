/// The element type of a tensor, with the numeric codes of ONNX's `TensorProto.DataType`.
///
/// The raw values are the codes stored in model files, so a code read from an untrusted file
/// goes through ``init(onnxCode:)``, which throws on an unknown value instead of trapping.
public enum DataType: Int32, Sendable, Hashable, CaseIterable, Codable {
    case float32 = 1
    case uint8 = 2
    case int8 = 3
    case uint16 = 4
    case int16 = 5
    case int32 = 6
    case int64 = 7
    case string = 8
    case bool = 9
    case float16 = 10
    case float64 = 11
    case uint32 = 12
    case uint64 = 13
    case complex64 = 14
    case complex128 = 15
    case bfloat16 = 16
    case float8e4m3fn = 17
    case float8e4m3fnuz = 18
    case float8e5m2 = 19
    case float8e5m2fnuz = 20
    case uint4 = 21
    case int4 = 22
    case float4e2m1 = 23
    case float8e8m0 = 24
    case uint2 = 25
    case int2 = 26
    case float6e2m3 = 27
    case float6e3m2 = 28

    /// Reads an ONNX type code.
    /// - Throws: ``TensorError/unknownDataType(_:)`` for 0 (`UNDEFINED`) or a code this build does not know.
    public init(onnxCode: Int32) throws(TensorError) {
        guard let type = DataType(rawValue: onnxCode) else { throw .unknownDataType(onnxCode) }
        self = type
    }

    /// Bits one element occupies in packed raw data; strings have no fixed width and report 0.
    public var bitWidth: Int {
        switch self {
        case .string: 0
        case .uint2, .int2: 2
        case .uint4, .int4, .float4e2m1: 4
        case .float6e2m3, .float6e3m2: 6
        case .bool, .uint8, .int8, .float8e4m3fn, .float8e4m3fnuz, .float8e5m2, .float8e5m2fnuz, .float8e8m0: 8
        case .uint16, .int16, .float16, .bfloat16: 16
        case .float32, .int32, .uint32: 32
        case .float64, .int64, .uint64, .complex64: 64
        case .complex128: 128
        }
    }

    /// Bytes needed for `count` packed elements (sub-byte types round up to whole bytes).
    public func byteCount(forElements count: Int) throws(TensorError) -> Int {
        let (bits, overflow) = count.multipliedReportingOverflow(by: bitWidth)
        guard !overflow else { throw .tooLarge(elements: count, type: self) }
        return (bits + 7) / 8
    }

    /// True for the floating-point types, including the 8- and 4-bit float formats.
    public var isFloatingPoint: Bool {
        switch self {
        case .float32, .float16, .float64, .bfloat16, .float8e4m3fn, .float8e4m3fnuz, .float8e5m2,
            .float8e5m2fnuz, .float4e2m1, .float8e8m0, .float6e2m3, .float6e3m2:
            true
        default: false
        }
    }

    /// The lower-case name ONNX uses in its documentation (`float`, `int64`, `bfloat16`, …).
    public var onnxName: String {
        switch self {
        case .float32: "float"
        case .uint8: "uint8"
        case .int8: "int8"
        case .uint16: "uint16"
        case .int16: "int16"
        case .int32: "int32"
        case .int64: "int64"
        case .string: "string"
        case .bool: "bool"
        case .float16: "float16"
        case .float64: "double"
        case .uint32: "uint32"
        case .uint64: "uint64"
        case .complex64: "complex64"
        case .complex128: "complex128"
        case .bfloat16: "bfloat16"
        case .float8e4m3fn: "float8e4m3fn"
        case .float8e4m3fnuz: "float8e4m3fnuz"
        case .float8e5m2: "float8e5m2"
        case .float8e5m2fnuz: "float8e5m2fnuz"
        case .uint4: "uint4"
        case .int4: "int4"
        case .float4e2m1: "float4e2m1"
        case .float8e8m0: "float8e8m0"
        case .uint2: "uint2"
        case .int2: "int2"
        case .float6e2m3: "float6e2m3"
        case .float6e3m2: "float6e3m2"
        }
    }
}

extension DataType: CustomStringConvertible {
    public var description: String { onnxName }
}
