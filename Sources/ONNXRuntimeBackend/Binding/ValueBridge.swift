internal import CTesseraORT
import Foundation
import InferenceRuntime
import TensorCore

/// Sequences and optionals across the C boundary. A sequence goes in as an `OrtValue` that
/// `CreateValue` builds from its elements' values; an absent optional goes in unbound (ONNX
/// Runtime reads an optional input left out of `Run` as None). Outputs come back by
/// `GetValueType`: a sequence's elements through `GetValueCount` and `GetValue`, an optional's
/// absence through `HasValue`.
enum ValueBridge {
    /// A sequence built from the borrowed element values; the caller keeps the elements' memory
    /// alive until the run ends, whether or not ORT copies them.
    static func sequence(_ elements: ArraySlice<OpaquePointer?>, name: String, api: ORTAPI) throws(BackendError) -> ORTValue {
        guard !elements.isEmpty else {
            throw InputValidation.invalid(name, "is an empty sequence, which ONNX Runtime's C API cannot build (CreateValue needs an element)")
        }
        let create = try api.require(api.functions.CreateValue, "CreateValue")
        var value: OpaquePointer?
        let status = Array(elements).withUnsafeBufferPointer { create($0.baseAddress, $0.count, ONNX_TYPE_SEQUENCE, &value) }
        try api.check(status, call: "CreateValue", phase: .input)
        guard let value else { throw api.missingResult("CreateValue") }
        return ORTValue(takingOwnership: value, api: api)
    }

    /// An output as the session hands it over: a tensor, a sequence of tensors, or absent.
    static func value(from owned: ORTValue, description: TensorDescription, api: ORTAPI) throws -> ModelValue {
        let fns = api.functions
        let name = description.name
        if description.kind.isOptional {
            var present: Int32 = 0
            try api.check(try api.require(fns.HasValue, "HasValue")(owned.handle, &present), call: "HasValue", phase: .run)
            if present == 0 { return .absent }
        }
        var type = ONNX_TYPE_UNKNOWN
        try api.check(try api.require(fns.GetValueType, "GetValueType")(owned.handle, &type), call: "GetValueType", phase: .run)
        switch type {
        case ONNX_TYPE_TENSOR:
            return .tensor(try TensorBridge.tensor(from: owned, name: name, api: api))
        case ONNX_TYPE_SEQUENCE:
            var count = 0
            try api.check(try api.require(fns.GetValueCount, "GetValueCount")(owned.handle, &count), call: "GetValueCount", phase: .run)
            let get = try api.require(fns.GetValue, "GetValue")
            let allocator = try api.defaultAllocator()
            var elements: [Tensor] = []
            for index in 0..<count {
                var element: OpaquePointer?
                try api.check(get(owned.handle, Int32(index), allocator, &element), call: "GetValue", phase: .run)
                guard let element else { throw api.missingResult("GetValue") }
                elements.append(try TensorBridge.tensor(from: ORTValue(takingOwnership: element, api: api), name: "\(name)[\(index)]", api: api))
            }
            do {
                return .sequence(try TensorSequence(elementType: elements.first?.dataType ?? description.dataType, elements: elements))
            } catch {
                throw BackendError(.run, backend: .onnxRuntime, call: "Run", message: "output '\(name)': \(error)")
            }
        default:
            throw BackendError(
                .unsupported, backend: .onnxRuntime, call: "Run",
                message: "output '\(name)' is a map or another value Tessera does not read (ONNXType \(type.rawValue))")
        }
    }
}
