internal import CTesseraORT
import Foundation
import InferenceRuntime
import TensorCore

/// Sequences, maps and optionals across the C boundary. A sequence or map goes in as an
/// `OrtValue` that `CreateValue` builds from its parts' values (a map from its keys and values
/// tensors, a sequence of maps from the maps); an absent optional goes in unbound (ONNX Runtime
/// reads an optional input left out of `Run` as None). Outputs come back by `GetValueType`: a
/// sequence's elements through `GetValueCount` and `GetValue`, a map's keys and values as its
/// values 0 and 1 through `GetValue`, an optional's absence through `HasValue`.
enum ValueBridge {
    /// A sequence (`ONNX_TYPE_SEQUENCE`) or map (`ONNX_TYPE_MAP`, from keys then values) built
    /// from the borrowed `parts`; the caller keeps the parts' memory alive until the run ends,
    /// whether or not ORT copies them.
    static func container(_ parts: ArraySlice<OpaquePointer?>, type: ONNXType, name: String, api: ORTAPI) throws(BackendError) -> ORTValue {
        guard !parts.isEmpty else {
            throw InputValidation.invalid(name, "is an empty sequence, which ONNX Runtime's C API cannot build (CreateValue needs an element)")
        }
        let create = try api.require(api.functions.CreateValue, "CreateValue")
        var value: OpaquePointer?
        let status = Array(parts).withUnsafeBufferPointer { create($0.baseAddress, $0.count, type, &value) }
        try api.check(status, call: "CreateValue", phase: .input)
        guard let value else { throw api.missingResult("CreateValue") }
        return ORTValue(takingOwnership: value, api: api)
    }

    /// An output as the session hands it over: a tensor, a sequence of tensors, a map, a
    /// sequence of maps, or absent.
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
        case ONNX_TYPE_MAP:
            return .map(try map(from: owned, name: name, api: api))
        case ONNX_TYPE_SEQUENCE:
            var count = 0
            try api.check(try api.require(fns.GetValueCount, "GetValueCount")(owned.handle, &count), call: "GetValueCount", phase: .run)
            let elements = try (0..<count).map { index in try part(index, of: owned, api: api) }
            if description.kind == .mapSequence {
                return .mapSequence(try elements.enumerated().map { index, element in
                    try map(from: element, name: "\(name)[\(index)]", api: api)
                })
            }
            let tensors = try elements.enumerated().map { index, element in
                try TensorBridge.tensor(from: element, name: "\(name)[\(index)]", api: api)
            }
            do {
                return .sequence(try TensorSequence(elementType: tensors.first?.dataType ?? description.dataType, elements: tensors))
            } catch {
                throw BackendError(.run, backend: .onnxRuntime, call: "Run", message: "output '\(name)': \(error)")
            }
        default:
            throw BackendError(
                .unsupported, backend: .onnxRuntime, call: "Run",
                message: "output '\(name)' is a value Tessera does not read (ONNXType \(type.rawValue))")
        }
    }

    /// Value `index` of a sequence (an element) or map (0: keys, 1: values), owned by the caller.
    private static func part(_ index: Int, of container: ORTValue, api: ORTAPI) throws(BackendError) -> ORTValue {
        let get = try api.require(api.functions.GetValue, "GetValue")
        var part: OpaquePointer?
        try api.check(get(container.handle, Int32(index), try api.defaultAllocator(), &part), call: "GetValue", phase: .run)
        guard let part else { throw api.missingResult("GetValue") }
        return ORTValue(takingOwnership: part, api: api)
    }

    private static func map(from value: ORTValue, name: String, api: ORTAPI) throws -> TensorMap {
        let keys = try TensorBridge.tensor(from: try part(0, of: value, api: api), name: "\(name).keys", api: api)
        let values = try TensorBridge.tensor(from: try part(1, of: value, api: api), name: "\(name).values", api: api)
        do { return try TensorMap(keys: keys, values: values) } catch {
            throw BackendError(.run, backend: .onnxRuntime, call: "Run", message: "output '\(name)': \(error)")
        }
    }
}
