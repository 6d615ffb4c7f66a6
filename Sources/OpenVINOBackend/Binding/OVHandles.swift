import CTesseraOpenVINO
import InferenceRuntime
import Synchronization

// One owner class per OpenVINO C object: the class holds the pointer, `deinit` calls the
// matching `ov_*_free`, and construction takes ownership of a pointer OpenVINO just returned.
// Each keeps the object it was made from alive, because OpenVINO's C objects wrap shared
// pointers whose parents must outlive them in our reasoning even where the library would cope.

/// An `ov_core_t`: the entry point that reads, compiles and enumerates devices.
///
/// OpenVINO's `ov::Core` is safe to use from several threads at once, so one core serves every
/// session of a backend.
final class OVCore: @unchecked Sendable {
    let api: OVAPI
    let handle: OpaquePointer

    init(api: OVAPI) throws(BackendError) {
        var core: OpaquePointer?
        try api.check(api.coreCreate(&core), "ov_core_create", kind: .load)
        guard let core else {
            throw BackendError(.load, backend: .openVINO, call: "ov_core_create", message: "returned no core")
        }
        self.api = api
        handle = core
    }

    deinit { api.coreFree(handle) }

    /// Cores that import blobs for one device with fixed properties, keyed by both.
    /// `ov_core_import_model` takes no properties, and a plugin imports with its own defaults, not
    /// with what the blob was compiled with (a CPU blob compiled for one thread comes back with one
    /// per core). Properties set on a core become its device defaults, which would leak into every
    /// other session compiled on this shared core, so each property set gets a core of its own.
    private let importers = Mutex<[String: OVCore]>([:])

    /// The core to import a blob for `device` with: this one when there is nothing to set, else
    /// one whose defaults for `device` are `properties`, made once and kept.
    func importer(device: String, properties: [(String, String)]) throws(BackendError) -> OVCore {
        guard !properties.isEmpty else { return self }
        let key = ([device] + properties.map { "\($0.0)=\($0.1)" }).joined(separator: "\n")
        if let existing = importers.withLock({ $0[key] }) { return existing }
        let core = try OVCore(api: api)
        for (name, value) in properties {
            try api.check(
                tessera_ov_core_set_property_2(api.coreSetProperty, core.handle, device, name, value),
                "ov_core_set_property", kind: .load)
        }
        // Two sessions may have raced to make it; both get the one stored first.
        return importers.withLock { importers in
            if let existing = importers[key] { return existing }
            importers[key] = core
            return core
        }
    }

    /// A device property as text (`FULL_DEVICE_NAME`, `GPU_DEVICE_TOTAL_MEM_SIZE`), or `nil` when
    /// the device does not report it.
    func property(_ key: String, device: String) -> String? {
        var value: UnsafeMutablePointer<CChar>?
        guard api.coreGetProperty(handle, device, key, &value) == TESSERA_OV_OK else {
            // A missing property is an answer, not an error; drop the message it left behind.
            api.takeString(api.getLastErrorMessage())
            return nil
        }
        return api.takeString(value)
    }

    /// The devices OpenVINO's plugins find on this machine: `CPU`, `GPU`, `GPU.1`, `NPU`, ….
    func availableDevices() throws(BackendError) -> [String] {
        var list = tessera_ov_available_devices(devices: nil, size: 0)
        try api.check(api.coreGetAvailableDevices(handle, &list), "ov_core_get_available_devices", kind: .load)
        defer { api.availableDevicesFree(&list) }
        guard let names = list.devices else { return [] }
        return (0..<list.size).compactMap { names[$0].map { String(cString: $0) } }
    }
}

/// An `ov_model_t` read from a file, before compilation. Used by one thread while a session is made.
final class OVModel {
    let core: OVCore
    let handle: OpaquePointer

    init(takingOwnership handle: OpaquePointer, core: OVCore) {
        self.core = core
        self.handle = handle
    }

    deinit { core.api.modelFree(handle) }
}

/// An `ov_compiled_model_t`. OpenVINO documents a compiled model as safe to share across
/// threads: creating infer requests from several threads at once is allowed.
final class OVCompiledModel: @unchecked Sendable {
    let core: OVCore
    let handle: OpaquePointer
    /// The memory an imported model may point into (see ``OVMappedBlob``); released only after
    /// the model, because `deinit` runs before stored properties are destroyed.
    private let storage: OVMappedBlob?

    init(takingOwnership handle: OpaquePointer, core: OVCore, storage: OVMappedBlob? = nil) {
        self.core = core
        self.handle = handle
        self.storage = storage
    }

    deinit { core.api.compiledModelFree(handle) }

    /// A property of the compiled model as text (`INFERENCE_PRECISION_HINT`, `EXECUTION_DEVICES`),
    /// or `nil` when OpenVINO does not report it: what was actually applied, not what was asked.
    func property(_ key: String) -> String? {
        var value: UnsafeMutablePointer<CChar>?
        guard core.api.compiledGetProperty(handle, key, &value) == TESSERA_OV_OK else {
            core.api.takeString(core.api.getLastErrorMessage())
            return nil
        }
        return core.api.takeString(value)
    }

    /// Writes the compiled model in the device plugin's blob format, which
    /// `ov_core_import_model` reads back without reading or compiling the source model.
    func export(to path: String) throws(BackendError) {
        try core.api.check(core.api.compiledExportModel(handle, path), "ov_compiled_model_export_model", kind: .load)
    }

    func makeInferRequest() throws(BackendError) -> OVInferRequest {
        let api = core.api
        var request: OpaquePointer?
        try api.check(
            api.compiledCreateInferRequest(handle, &request), "ov_compiled_model_create_infer_request", kind: .load)
        guard let request else {
            throw BackendError(
                .load, backend: .openVINO, call: "ov_compiled_model_create_infer_request", message: "returned nothing")
        }
        return OVInferRequest(takingOwnership: request, compiledModel: self)
    }
}

/// An `ov_infer_request_t`: the per-call state of one inference.
///
/// An infer request is *not* safe to use from two threads at once. The invariant that makes the
/// `@unchecked Sendable` sound: a request is reachable either from the session's pool (behind its
/// mutex) or from exactly one running `run(_:)` call, never both.
final class OVInferRequest: @unchecked Sendable {
    let compiledModel: OVCompiledModel
    let handle: OpaquePointer

    init(takingOwnership handle: OpaquePointer, compiledModel: OVCompiledModel) {
        self.compiledModel = compiledModel
        self.handle = handle
    }

    deinit { compiledModel.core.api.requestFree(handle) }
}

/// An `ov_tensor_t`, owning its memory or wrapping memory the caller keeps alive.
final class OVTensor {
    let api: OVAPI
    let handle: OpaquePointer

    init(takingOwnership handle: OpaquePointer, api: OVAPI) {
        self.api = api
        self.handle = handle
    }

    deinit { api.tensorFree(handle) }

    /// The tensor's dimensions as they are now (after inference, an output's actual shape);
    /// `[]` for a scalar.
    ///
    /// `ov_tensor_get_shape` cannot describe a scalar: it builds its answer with
    /// `ov_shape_create`, which refuses rank 0, and returns that INVALID_C_PARAM for a perfectly
    /// valid tensor (every scalar output: a loss, a size, a quantization scale). That code with
    /// exactly one element can only mean rank 0; anything else is a real failure.
    func dims() throws(BackendError) -> [Int] {
        var shape = tessera_ov_shape(rank: 0, dims: nil)
        let status = api.tensorGetShape(handle, &shape)
        if status == TESSERA_OV_INVALID_C_PARAM {
            var count = 0
            try api.check(api.tensorGetSize(handle, &count), "ov_tensor_get_size", kind: .run)
            if count == 1 { return [] }
        }
        try api.check(status, "ov_tensor_get_shape", kind: .run)
        defer { _ = api.shapeFree(&shape) }
        guard shape.rank > 0 else { return [] }
        guard let dims = shape.dims else {
            throw BackendError(
                .run, backend: .openVINO, call: "ov_tensor_get_shape", message: "rank \(shape.rank) without dimensions")
        }
        return (0..<Int(shape.rank)).map { Int(dims[$0]) }
    }
}

/// An `ov_output_const_port_t`: an input or output of a model, for its name, type and shape.
final class OVPort {
    let api: OVAPI
    let handle: OpaquePointer

    init(takingOwnership handle: OpaquePointer, api: OVAPI) {
        self.api = api
        self.handle = handle
    }

    deinit { api.constPortFree(handle) }

    /// One of the port's tensor names (OpenVINO may hold several after merging values).
    func anyName() throws(BackendError) -> String {
        var name: UnsafeMutablePointer<CChar>?
        try api.check(api.portGetAnyName(handle, &name), "ov_port_get_any_name", kind: .load)
        return api.takeString(name) ?? ""
    }

    func elementType() throws(BackendError) -> tessera_ov_element_type {
        var type = TESSERA_OV_TYPE_DYNAMIC
        try api.check(api.portGetElementType(handle, &type), "ov_port_get_element_type", kind: .load)
        return type
    }

    /// Dimensions with `nil` for dynamic ones; `nil` as a whole when even the rank is dynamic.
    func dims() throws(BackendError) -> [Int?]? {
        var shape = tessera_ov_partial_shape()
        try api.check(api.portGetPartialShape(handle, &shape), "ov_port_get_partial_shape", kind: .load)
        defer { api.partialShapeFree(&shape) }
        guard shape.rank.min == shape.rank.max, shape.rank.min >= 0 else { return nil }
        guard let dims = shape.dims else { return [] }
        return (0..<Int(shape.rank.min)).map { axis in
            let dim = dims[axis]
            return dim.min == dim.max && dim.min >= 0 ? Int(dim.min) : nil
        }
    }
}
