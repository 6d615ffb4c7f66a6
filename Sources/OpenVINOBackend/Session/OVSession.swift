import CTesseraOpenVINO
import Foundation
import InferenceRuntime
import Synchronization
import TensorCore

/// A model compiled by OpenVINO for one device, run with a small pool of infer requests.
///
/// `run(_:)` may be called from several threads at once: each call takes an idle infer request
/// from the pool (or creates one), so concurrent calls never share OpenVINO state.
final class OVSession: Session {
    let device: Device
    let inputs: [TensorDescription]
    let outputs: [TensorDescription]

    private let compiledModel: OVCompiledModel
    /// Inputs the ONNX file declares that OpenVINO folded away (an unused or constant-folded
    /// input); callers may still pass them, and they are ignored.
    private let unusedInputs: Set<String>
    /// Inputs whose rank OpenVINO leaves dynamic: any shape is passed on for it to judge.
    private let anyRankInputs: Set<String>
    /// Idle infer requests. See ``OVInferRequest`` for the ownership invariant.
    private let idleRequests = Mutex<[OVInferRequest]>([])
    /// More idle requests than this are freed rather than kept: enough for the pipeline's workers.
    private static let maximumIdleRequests = 4

    /// Whether the compiled model was imported from Tessera's blob in the cache folder rather
    /// than compiled from the model file (see ``OVCompiledCache``).
    let loadedFromCache: Bool

    init(
        device: Device, compiledModel: OVCompiledModel, inputs: [TensorDescription], outputs: [TensorDescription],
        unusedInputs: Set<String>, anyRankInputs: Set<String>, loadedFromCache: Bool = false
    ) {
        self.loadedFromCache = loadedFromCache
        self.anyRankInputs = anyRankInputs
        self.device = device
        self.compiledModel = compiledModel
        self.inputs = inputs
        self.outputs = outputs
        self.unusedInputs = unusedInputs
    }

    /// A property of the compiled model as OpenVINO applied it, e.g. `INFERENCE_PRECISION_HINT`.
    func compiledProperty(_ key: String) -> String? { compiledModel.property(key) }

    func run(_ feeds: [String: Tensor]) throws -> [String: Tensor] {
        let ordered = try validate(feeds)
        let request = try takeRequest()
        let results = try withWrappedInputs(ordered[...], wrapped: []) { tensors throws(BackendError) in
            let api = compiledModel.core.api
            for (index, tensor) in tensors.enumerated() {
                try api.check(
                    api.requestSetInputTensorByIndex(request.handle, index, tensor.handle),
                    "ov_infer_request_set_input_tensor_by_index", kind: .run)
            }
            try api.check(api.requestInfer(request.handle), "ov_infer_request_infer", kind: .run)
            return try readOutputs(of: request)
        }
        // Only a request whose run succeeded goes back: after a failure its state is unknown.
        idleRequests.withLock { idle in
            if idle.count < Self.maximumIdleRequests { idle.append(request) }
        }
        return results
    }

    // MARK: - Inputs

    /// The feeds in the compiled model's input order, after checking names, types and shapes.
    private func validate(_ feeds: [String: Tensor]) throws(BackendError) -> [Tensor] {
        let known = Set(inputs.map(\.name))
        for name in feeds.keys.sorted() where !known.contains(name) && !unusedInputs.contains(name) {
            let expected = inputs.map(\.name).joined(separator: ", ")
            throw invalid(name, "the model has no such input (its inputs: \(expected))")
        }
        return try inputs.map { (description) throws(BackendError) -> Tensor in
            guard let tensor = feeds[description.name] else { throw invalid(description.name, "missing") }
            guard tensor.dataType == description.dataType else {
                throw invalid(description.name, "is \(tensor.dataType), the model takes \(description.dataType)")
            }
            let fits =
                anyRankInputs.contains(description.name)
                || tensor.shape.count == description.dims.count
                    && zip(tensor.shape, description.dims).allSatisfy { actual, expected in
                        expected.map { $0 == actual } ?? true
                    }
            guard fits else {
                let wanted = description.dims.map { $0.map(String.init) ?? "?" }.joined(separator: "×")
                let given = tensor.shape.map(String.init).joined(separator: "×")
                throw invalid(description.name, "has shape [\(given)], the model takes [\(wanted)]")
            }
            return tensor
        }
    }

    private func invalid(_ name: String, _ problem: String) -> BackendError {
        BackendError(.invalidInput, backend: .openVINO, call: "run", message: "input '\(name)' \(problem)")
    }

    private func takeRequest() throws(BackendError) -> OVInferRequest {
        if let idle = idleRequests.withLock({ $0.popLast() }) { return idle }
        return try compiledModel.makeInferRequest()
    }

    /// Calls `body` with one OpenVINO tensor per input, each wrapping the input's own bytes where
    /// it can, so a large image is not copied on its way in.
    ///
    /// Recursion keeps every `withUnsafeBytes` scope open until `body` returns: the wrapped
    /// pointers are valid only inside those scopes.
    private func withWrappedInputs<Result>(
        _ pending: ArraySlice<Tensor>, wrapped: [OVTensor], _ body: ([OVTensor]) throws(BackendError) -> Result
    ) throws(BackendError) -> Result {
        guard let tensor = pending.first else { return try body(wrapped) }
        let api = compiledModel.core.api
        // Strings were refused when the session was made: every input here has packed bytes.
        let bytes = tensor.rawBytes ?? Data()
        let type = tensor.dataType.openVINOType ?? TESSERA_OV_TYPE_U8
        let elementSize = max(1, tensor.dataType.bitWidth / 8)
        var dims = tensor.shape.map(Int64.init)
        do {
            return try bytes.withUnsafeBytes { raw in
                try dims.withUnsafeMutableBufferPointer { dimsBuffer in
                    let shape = tessera_ov_shape(rank: Int64(dimsBuffer.count), dims: dimsBuffer.baseAddress)
                    var handle: OpaquePointer?
                    if let base = raw.baseAddress, Int(bitPattern: base) % elementSize == 0 {
                        // OpenVINO only reads input tensors, so lending it our immutable bytes as
                        // `void *` is sound; they stay alive until this closure returns.
                        try api.check(
                            api.tensorCreateFromHostPointer(
                                type, shape, UnsafeMutableRawPointer(mutating: base), &handle),
                            "ov_tensor_create_from_host_ptr", kind: .run)
                    } else {
                        // Empty, or misaligned (a slice of a mapped file): let OpenVINO own a copy.
                        try api.check(api.tensorCreate(type, shape, &handle), "ov_tensor_create", kind: .run)
                        if let handle, let source = raw.baseAddress, raw.count > 0 {
                            var destination: UnsafeMutableRawPointer?
                            try api.check(api.tensorData(handle, &destination), "ov_tensor_data", kind: .run)
                            destination?.copyMemory(from: source, byteCount: raw.count)
                        }
                    }
                    guard let handle else {
                        throw BackendError(
                            .run, backend: .openVINO, call: "ov_tensor_create", message: "returned nothing")
                    }
                    let owned = OVTensor(takingOwnership: handle, api: api)
                    return try withWrappedInputs(pending.dropFirst(), wrapped: wrapped + [owned], body)
                }
            }
        } catch let error as BackendError {
            throw error
        } catch {
            throw BackendError(.run, backend: .openVINO, call: "run", message: "\(error)")
        }
    }

    // MARK: - Outputs

    /// Copies every output out of the request into new tensors, keyed by the session's names.
    private func readOutputs(of request: OVInferRequest) throws(BackendError) -> [String: Tensor] {
        let api = compiledModel.core.api
        var results: [String: Tensor] = [:]
        for (index, description) in outputs.enumerated() {
            var handle: OpaquePointer?
            try api.check(
                api.requestGetOutputTensorByIndex(request.handle, index, &handle),
                "ov_infer_request_get_output_tensor_by_index", kind: .run)
            guard let handle else {
                throw BackendError(
                    .run, backend: .openVINO, call: "ov_infer_request_get_output_tensor_by_index",
                    message: "no tensor for output '\(description.name)'")
            }
            let tensor = OVTensor(takingOwnership: handle, api: api)
            results[description.name] = try copy(tensor, name: description.name)
        }
        return results
    }

    private func copy(_ tensor: OVTensor, name: String) throws(BackendError) -> Tensor {
        let api = tensor.api
        let dims = try tensor.dims()
        var type = TESSERA_OV_TYPE_DYNAMIC
        try api.check(api.tensorGetElementType(tensor.handle, &type), "ov_tensor_get_element_type", kind: .run)
        guard let dataType = DataType(openVINO: type) else {
            throw BackendError(
                .unsupported, backend: .openVINO, call: "run", message: "output '\(name)' has type \(typeName(type))")
        }
        var byteCount = 0
        try api.check(api.tensorGetByteSize(tensor.handle, &byteCount), "ov_tensor_get_byte_size", kind: .run)
        var bytes = Data()
        if byteCount > 0 {
            var source: UnsafeMutableRawPointer?
            try api.check(api.tensorData(tensor.handle, &source), "ov_tensor_data", kind: .run)
            guard let source else {
                throw BackendError(
                    .run, backend: .openVINO, call: "ov_tensor_data", message: "output '\(name)' has no data")
            }
            bytes = Data(bytes: source, count: byteCount)
        }
        do {
            return try Tensor(dataType: dataType, shape: dims, bytes: bytes)
        } catch {
            throw BackendError(.run, backend: .openVINO, call: "run", message: "output '\(name)': \(error)")
        }
    }
}
