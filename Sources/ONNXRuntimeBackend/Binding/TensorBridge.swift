internal import CTesseraORT
import Foundation
import InferenceRuntime
import TensorCore

/// Moves tensors across the C boundary: inputs are lent to ORT without copying, outputs are
/// copied out of ORT-owned memory into new ``Tensor``s.
enum TensorBridge {
    /// ORT's element type for `type`; the codes are ONNX's on both sides.
    static func elementType(_ type: DataType) -> ONNXTensorElementDataType {
        ONNXTensorElementDataType(rawValue: UInt32(type.rawValue))
    }

    /// The ``DataType`` for ORT's code, or `nil` for one this build of Tessera does not know.
    static func dataType(_ type: ONNXTensorElementDataType) -> DataType? {
        DataType(rawValue: Int32(truncatingIfNeeded: type.rawValue))
    }

    /// Wraps every tensor in an `OrtValue` that borrows its bytes, calls `body` with the values in
    /// order, and releases them. The bytes are only valid inside `body`.
    ///
    /// A buffer not aligned to its element size (a tensor sliced out of a mapped file) and an empty
    /// one are copied into aligned scratch memory first; everything else is lent as it is.
    static func withValues<R>(
        _ tensors: [Tensor], api: ORTAPI, memoryInfo: ORTMemoryInfo, _ body: ([OpaquePointer?]) throws -> R
    ) throws -> R {
        var values: [ORTValue] = []
        var scratch: [UnsafeMutableRawPointer] = []
        defer {
            values.removeAll()  // release the values before the memory they point at
            for buffer in scratch { buffer.deallocate() }
        }
        return try borrow(tensors[...], api: api, memoryInfo: memoryInfo, values: &values, scratch: &scratch, body)
    }

    private static func borrow<R>(
        _ tensors: ArraySlice<Tensor>, api: ORTAPI, memoryInfo: ORTMemoryInfo, values: inout [ORTValue],
        scratch: inout [UnsafeMutableRawPointer], _ body: ([OpaquePointer?]) throws -> R
    ) throws -> R {
        guard let tensor = tensors.first else { return try body(values.map { $0.handle }) }
        let rest = tensors.dropFirst()
        switch tensor.storage {
        case .strings(let strings):
            values.append(try stringValue(strings, shape: tensor.shape, api: api))
            return try borrow(rest, api: api, memoryInfo: memoryInfo, values: &values, scratch: &scratch, body)
        case .bytes(let data):
            return try data.withUnsafeBytes { raw in
                let alignment = max(1, min(8, tensor.dataType.bitWidth / 8))
                var address = raw.baseAddress.map { UnsafeMutableRawPointer(mutating: $0) }
                if address == nil || Int(bitPattern: address) % alignment != 0 {
                    let copy = UnsafeMutableRawPointer.allocate(byteCount: max(raw.count, 1), alignment: 64)
                    scratch.append(copy)
                    if let source = raw.baseAddress { copy.copyMemory(from: source, byteCount: raw.count) }
                    address = copy
                }
                // `mutating` casts away const: ORT's CreateTensorWithDataAsOrtValue takes `void *`
                // because the same call also wraps output buffers, but a session only reads its
                // inputs; the planner never reuses a graph input's buffer for another value.
                values.append(try borrowedValue(address, byteCount: raw.count, tensor: tensor, api: api, memoryInfo: memoryInfo))
                return try borrow(rest, api: api, memoryInfo: memoryInfo, values: &values, scratch: &scratch, body)
            }
        }
    }

    private static func borrowedValue(
        _ address: UnsafeMutableRawPointer?, byteCount: Int, tensor: Tensor, api: ORTAPI, memoryInfo: ORTMemoryInfo
    ) throws(BackendError) -> ORTValue {
        let shape = tensor.shape.map(Int64.init)
        var value: OpaquePointer?
        let create = try api.require(api.functions.CreateTensorWithDataAsOrtValue, "CreateTensorWithDataAsOrtValue")
        let status = shape.withUnsafeBufferPointer { dims in
            create(memoryInfo.handle, address, byteCount, dims.baseAddress, dims.count, elementType(tensor.dataType), &value)
        }
        try api.check(status, call: "CreateTensorWithDataAsOrtValue", phase: .input)
        guard let value else { throw api.missingResult("CreateTensorWithDataAsOrtValue") }
        return ORTValue(takingOwnership: value, api: api)
    }

    /// ORT copies strings into its own tensor, so they need not outlive this call. ORT takes
    /// NUL-terminated strings: an element containing a NUL byte cannot be passed.
    private static func stringValue(_ strings: [Data], shape: [Int], api: ORTAPI) throws -> ORTValue {
        if strings.contains(where: { $0.contains(0) }) {
            throw BackendError(
                .invalidInput, backend: .onnxRuntime, call: "FillStringTensor",
                message: "a string element contains a NUL byte, which ONNX Runtime's C API cannot take")
        }
        let dims = shape.map(Int64.init)
        var value: OpaquePointer?
        let create = try api.require(api.functions.CreateTensorAsOrtValue, "CreateTensorAsOrtValue")
        let allocator = try api.defaultAllocator()
        let status = dims.withUnsafeBufferPointer {
            create(allocator, $0.baseAddress, $0.count, ONNX_TENSOR_ELEMENT_DATA_TYPE_STRING, &value)
        }
        try api.check(status, call: "CreateTensorAsOrtValue", phase: .input)
        guard let value else { throw api.missingResult("CreateTensorAsOrtValue") }
        let owned = ORTValue(takingOwnership: value, api: api)
        // Raw bytes, not decoded text: ONNX strings may hold any bytes, and ORT copies them as given.
        let bytes = CStringArray(bytes: strings)
        let fill = try api.require(api.functions.FillStringTensor, "FillStringTensor")
        try api.check(fill(owned.handle, bytes.pointers, bytes.pointers.count), call: "FillStringTensor", phase: .input)
        return owned
    }

    /// Wraps an ORT-owned output as a tensor: its buffer shared, not copied (outputs are whole
    /// images, tens of megabytes), and the value released when the tensor's bytes are; strings copied.
    static func tensor(from owned: ORTValue, name: String, api: ORTAPI) throws -> Tensor {
        let value = owned.handle
        let fns = api.functions
        var isTensor: Int32 = 0
        try api.check(try api.require(fns.IsTensor, "IsTensor")(value, &isTensor), call: "IsTensor", phase: .run)
        guard isTensor != 0 else {
            throw BackendError(
                .unsupported, backend: .onnxRuntime, call: "Run",
                message: "output '\(name)' is not a tensor (a sequence, map or optional); Tessera exchanges tensors only")
        }
        var infoHandle: OpaquePointer?
        try api.check(try api.require(fns.GetTensorTypeAndShape, "GetTensorTypeAndShape")(value, &infoHandle),
                      call: "GetTensorTypeAndShape", phase: .run)
        guard let infoHandle else { throw api.missingResult("GetTensorTypeAndShape") }
        let info = ORTTensorInfo(takingOwnership: infoHandle, api: api)
        let (type, dims) = try describe(info.handle, api: api, phase: .run)
        guard let dataType = type else {
            throw BackendError(.unsupported, backend: .onnxRuntime, call: "Run", message: "output '\(name)' has an element type Tessera does not know")
        }
        let shape = dims.map { $0 ?? 0 }
        let count = try Tensor.elementCount(of: shape)
        if dataType == .string { return try stringTensor(from: value, shape: shape, count: count, api: api) }
        var data: UnsafeMutableRawPointer?
        try api.check(try api.require(fns.GetTensorMutableData, "GetTensorMutableData")(value, &data),
                      call: "GetTensorMutableData", phase: .run)
        let byteCount = try dataType.byteCount(forElements: count)
        let bytes = byteCount == 0
            ? Data()
            : Data(bytesNoCopy: try unwrap(data, api: api), count: byteCount, deallocator: .custom { _, _ in
                withExtendedLifetime(owned) {}
            })
        return try Tensor(dataType: dataType, shape: shape, bytes: bytes)
    }

    private static func stringTensor(from value: OpaquePointer, shape: [Int], count: Int, api: ORTAPI) throws -> Tensor {
        let fns = api.functions
        var length = 0
        try api.check(try api.require(fns.GetStringTensorDataLength, "GetStringTensorDataLength")(value, &length),
                      call: "GetStringTensorDataLength", phase: .run)
        var buffer = [UInt8](repeating: 0, count: max(length, 1))
        var offsets = [Int](repeating: 0, count: max(count, 1))
        let content = try api.require(fns.GetStringTensorContent, "GetStringTensorContent")
        try api.check(content(value, &buffer, length, &offsets, count), call: "GetStringTensorContent", phase: .run)
        let strings = (0..<count).map { index in
            let end = index + 1 < count ? offsets[index + 1] : length
            return Data(buffer[offsets[index]..<max(end, offsets[index])])
        }
        return try Tensor(shape: shape, strings: strings)
    }

    /// Element type (nil when Tessera lacks the code) and dims (nil where dynamic) of a tensor description.
    static func describe(_ info: OpaquePointer, api: ORTAPI, phase: ORTAPI.Phase) throws(BackendError)
        -> (DataType?, [Int?])
    {
        let fns = api.functions
        var type = ONNX_TENSOR_ELEMENT_DATA_TYPE_UNDEFINED
        try api.check(try api.require(fns.GetTensorElementType, "GetTensorElementType")(info, &type),
                      call: "GetTensorElementType", phase: phase)
        var rank = 0
        try api.check(try api.require(fns.GetDimensionsCount, "GetDimensionsCount")(info, &rank),
                      call: "GetDimensionsCount", phase: phase)
        var dims = [Int64](repeating: 0, count: rank)
        try api.check(try api.require(fns.GetDimensions, "GetDimensions")(info, &dims, rank), call: "GetDimensions", phase: phase)
        return (dataType(type), dims.map { $0 < 0 ? nil : Int($0) })
    }

    private static func unwrap(_ pointer: UnsafeMutableRawPointer?, api: ORTAPI) throws(BackendError) -> UnsafeMutableRawPointer {
        guard let pointer else { throw api.missingResult("GetTensorMutableData") }
        return pointer
    }
}
