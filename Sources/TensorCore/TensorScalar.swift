/// A Swift type whose memory layout is exactly one element of an ONNX ``DataType``.
public protocol TensorScalar: BitwiseCopyable, Sendable {
    /// The ONNX type this Swift type stores.
    static var dataType: DataType { get }
}

extension Float: TensorScalar { public static var dataType: DataType { .float32 } }
extension Double: TensorScalar { public static var dataType: DataType { .float64 } }
extension Int8: TensorScalar { public static var dataType: DataType { .int8 } }
extension UInt8: TensorScalar { public static var dataType: DataType { .uint8 } }
extension Int16: TensorScalar { public static var dataType: DataType { .int16 } }
extension UInt16: TensorScalar { public static var dataType: DataType { .uint16 } }
extension Int32: TensorScalar { public static var dataType: DataType { .int32 } }
extension UInt32: TensorScalar { public static var dataType: DataType { .uint32 } }
extension Int64: TensorScalar { public static var dataType: DataType { .int64 } }
extension UInt64: TensorScalar { public static var dataType: DataType { .uint64 } }
extension Bool: TensorScalar { public static var dataType: DataType { .bool } }
#if !((os(macOS) || targetEnvironment(macCatalyst)) && arch(x86_64))
    extension Float16: TensorScalar { public static var dataType: DataType { .float16 } }
#endif
extension BFloat16: TensorScalar { public static var dataType: DataType { .bfloat16 } }
