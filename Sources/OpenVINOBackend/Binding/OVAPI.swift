import CTesseraOpenVINO
import Foundation
import InferenceRuntime

/// The OpenVINO C functions Tessera calls, resolved once from one loaded `libopenvino_c`.
///
/// Every field is a plain C function pointer of the type `tessera_ov.h` declares for it. The
/// table is immutable and the functions it points to are thread-safe where OpenVINO documents
/// them to be (core, compiled model); per-object rules are kept by the owner classes.
final class OVAPI: Sendable {
    /// The library the pointers come from; kept so it is visibly alive as long as the table
    /// (``DynamicLibrary`` never unloads anyway).
    let library: DynamicLibrary

    let getVersion: tessera_ov_get_openvino_version_fn
    let versionFree: tessera_ov_version_free_fn
    let getErrorInfo: tessera_ov_get_error_info_fn
    let getLastErrorMessage: tessera_ov_get_last_err_msg_fn
    let free: tessera_ov_free_fn

    let coreCreate: tessera_ov_core_create_fn
    let coreFree: tessera_ov_core_free_fn
    let coreReadModel: tessera_ov_core_read_model_fn
    /// C-variadic, so Swift imports its type as an opaque address: it is only handed to the
    /// `tessera_ov_compile_model_N` trampolines. An immutable code address is safe to share.
    nonisolated(unsafe) let coreCompileModel: tessera_ov_core_compile_model_fn
    /// C-variadic like `coreCompileModel`: only handed to `tessera_ov_core_set_property_2`.
    nonisolated(unsafe) let coreSetProperty: tessera_ov_core_set_property_fn
    let coreImportModel: tessera_ov_core_import_model_fn
    let coreGetProperty: tessera_ov_core_get_property_fn
    let coreGetAvailableDevices: tessera_ov_core_get_available_devices_fn
    let availableDevicesFree: tessera_ov_available_devices_free_fn

    let modelFree: tessera_ov_model_free_fn
    let modelInputsSize: tessera_ov_model_inputs_size_fn
    let modelConstInputByIndex: tessera_ov_model_const_input_by_index_fn
    let modelReshape: tessera_ov_model_reshape_fn

    let compiledInputsSize: tessera_ov_compiled_model_ports_size_fn
    let compiledOutputsSize: tessera_ov_compiled_model_ports_size_fn
    let compiledInputByIndex: tessera_ov_compiled_model_port_by_index_fn
    let compiledOutputByIndex: tessera_ov_compiled_model_port_by_index_fn
    let compiledCreateInferRequest: tessera_ov_compiled_model_create_infer_request_fn
    let compiledGetProperty: tessera_ov_compiled_model_get_property_fn
    let compiledExportModel: tessera_ov_compiled_model_export_model_fn
    let compiledModelFree: tessera_ov_compiled_model_free_fn

    let portGetAnyName: tessera_ov_port_get_any_name_fn
    let portGetPartialShape: tessera_ov_port_get_partial_shape_fn
    let portGetElementType: tessera_ov_port_get_element_type_fn
    let constPortFree: tessera_ov_output_const_port_free_fn
    let partialShapeFree: tessera_ov_partial_shape_free_fn

    let requestSetInputTensorByIndex: tessera_ov_infer_request_set_input_tensor_by_index_fn
    let requestInfer: tessera_ov_infer_request_infer_fn
    let requestGetOutputTensorByIndex: tessera_ov_infer_request_get_output_tensor_by_index_fn
    let requestFree: tessera_ov_infer_request_free_fn

    let tensorCreate: tessera_ov_tensor_create_fn
    let tensorCreateFromHostPointer: tessera_ov_tensor_create_from_host_ptr_fn
    let tensorGetShape: tessera_ov_tensor_get_shape_fn
    let tensorGetElementType: tessera_ov_tensor_get_element_type_fn
    let tensorGetByteSize: tessera_ov_tensor_get_byte_size_fn
    let tensorGetSize: tessera_ov_tensor_get_size_fn
    let tensorData: tessera_ov_tensor_data_fn
    let tensorFree: tessera_ov_tensor_free_fn
    let shapeFree: tessera_ov_shape_free_fn

    /// Resolves every function the backend uses.
    /// - Throws: `.symbolMissing` naming the first function the library does not export.
    init(library: DynamicLibrary) throws(BackendError) {
        self.library = library
        let r = SymbolResolver(library: library)
        getVersion = try r.resolve("ov_get_openvino_version")
        versionFree = try r.resolve("ov_version_free")
        getErrorInfo = try r.resolve("ov_get_error_info")
        getLastErrorMessage = try r.resolve("ov_get_last_err_msg")
        free = try r.resolve("ov_free")

        coreCreate = try r.resolve("ov_core_create")
        coreFree = try r.resolve("ov_core_free")
        coreReadModel = try r.resolve("ov_core_read_model")
        coreCompileModel = try r.resolve("ov_core_compile_model")
        coreSetProperty = try r.resolve("ov_core_set_property")
        coreImportModel = try r.resolve("ov_core_import_model")
        coreGetProperty = try r.resolve("ov_core_get_property")
        coreGetAvailableDevices = try r.resolve("ov_core_get_available_devices")
        availableDevicesFree = try r.resolve("ov_available_devices_free")

        modelFree = try r.resolve("ov_model_free")
        modelInputsSize = try r.resolve("ov_model_inputs_size")
        modelConstInputByIndex = try r.resolve("ov_model_const_input_by_index")
        modelReshape = try r.resolve("ov_model_reshape")

        compiledInputsSize = try r.resolve("ov_compiled_model_inputs_size")
        compiledOutputsSize = try r.resolve("ov_compiled_model_outputs_size")
        compiledInputByIndex = try r.resolve("ov_compiled_model_input_by_index")
        compiledOutputByIndex = try r.resolve("ov_compiled_model_output_by_index")
        compiledCreateInferRequest = try r.resolve("ov_compiled_model_create_infer_request")
        compiledGetProperty = try r.resolve("ov_compiled_model_get_property")
        compiledExportModel = try r.resolve("ov_compiled_model_export_model")
        compiledModelFree = try r.resolve("ov_compiled_model_free")

        portGetAnyName = try r.resolve("ov_port_get_any_name")
        portGetPartialShape = try r.resolve("ov_port_get_partial_shape")
        portGetElementType = try r.resolve("ov_port_get_element_type")
        constPortFree = try r.resolve("ov_output_const_port_free")
        partialShapeFree = try r.resolve("ov_partial_shape_free")

        requestSetInputTensorByIndex = try r.resolve("ov_infer_request_set_input_tensor_by_index")
        requestInfer = try r.resolve("ov_infer_request_infer")
        requestGetOutputTensorByIndex = try r.resolve("ov_infer_request_get_output_tensor_by_index")
        requestFree = try r.resolve("ov_infer_request_free")

        tensorCreate = try r.resolve("ov_tensor_create")
        tensorCreateFromHostPointer = try r.resolve("ov_tensor_create_from_host_ptr")
        tensorGetShape = try r.resolve("ov_tensor_get_shape")
        tensorGetElementType = try r.resolve("ov_tensor_get_element_type")
        tensorGetByteSize = try r.resolve("ov_tensor_get_byte_size")
        tensorGetSize = try r.resolve("ov_tensor_get_size")
        tensorData = try r.resolve("ov_tensor_data")
        tensorFree = try r.resolve("ov_tensor_free")
        shapeFree = try r.resolve("ov_shape_free")
    }

    /// The only place an `ov_status_e` is inspected: success returns, anything else becomes a
    /// ``BackendError`` carrying OpenVINO's code, its generic text and, where the code comes from
    /// an exception, its last detailed message.
    ///
    /// OpenVINO keeps one last-error message per process (behind a mutex, not per thread), and
    /// only a caught C++ exception writes it: a code the C layer returns itself (a refused
    /// argument) leaves the text of some earlier, unrelated failure there, which would send the
    /// reader after the wrong cause, so those codes report their generic text alone. When two
    /// threads fail at the same moment one of them may still report the other's detail; the code
    /// and the call named are always this call's.
    /// - Parameter kind: what a failure means at this step (`.load` while compiling, `.run` while
    ///   inferring); an out-of-memory message overrides it with `.outOfMemory`.
    func check(_ status: tessera_ov_status, _ call: String, kind: BackendError.Kind) throws(BackendError) {
        guard status != TESSERA_OV_OK else { return }
        let generic = getErrorInfo(status).map { String(cString: $0) } ?? "unknown status"
        var message = generic
        if Self.exceptionStatuses.contains(status), let detail = takeString(getLastErrorMessage()) {
            // OpenVINO stacks one "Exception from src/…/file.cpp:84:" line per layer above the
            // cause; keep the cause, on one line, as every Tessera error prints.
            let lines = detail.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            let causes = lines.filter { !$0.isEmpty && !($0.hasPrefix("Exception from ") && $0.hasSuffix(":")) }
            message = (causes.isEmpty ? lines : causes).joined(separator: " ")
        }
        let lowered = message.lowercased()
        let outOfMemory = ["out of memory", "bad_alloc", "cl_out_of_resources", "cl_mem_object_allocation_failure"]
            .contains { lowered.contains($0) }
        throw BackendError(
            outOfMemory ? .outOfMemory : kind, backend: .openVINO, call: call, code: Int(status.rawValue),
            message: message == generic || message.isEmpty ? generic : "\(message) [\(generic)]")
    }

    /// The codes OpenVINO's C layer returns from its `catch` clauses, after recording the
    /// exception's text as the last error message (`CATCH_OV_EXCEPTIONS` in its `common.h`).
    static let exceptionStatuses: [tessera_ov_status] = [
        TESSERA_OV_GENERAL_ERROR, TESSERA_OV_NOT_IMPLEMENTED, TESSERA_OV_REQUEST_BUSY, TESSERA_OV_INFER_CANCELLED,
        TESSERA_OV_UNKNOWN_EXCEPTION,
    ]

    /// Takes a string OpenVINO allocated for the caller: copies it and releases the original.
    @discardableResult
    func takeString(_ pointer: UnsafePointer<CChar>?) -> String? {
        guard let pointer else { return nil }
        defer { free(pointer) }
        return String(cString: pointer)
    }
}

/// Looks up symbols and gives them the declared C function types.
private struct SymbolResolver {
    let library: DynamicLibrary

    func resolve<Function>(_ name: String) throws(BackendError) -> Function {
        guard let address = library.symbol(name) else {
            throw BackendError(
                .symbolMissing, backend: .openVINO, call: "dlsym",
                message: "\(library.path) does not export \(name)")
        }
        // Unsafe 1: `Function` is the `@convention(c)` pointer type tessera_ov.h declares for
        // `name`, written from OpenVINO 2026.4.1's header; the library's own signature must match
        // it, which the version check in discovery stands for (the C API has been stable since 2023).
        // Unsafe 2: a C function pointer and a data pointer have the same size and representation
        // on every platform Swift supports, so the bit cast only changes the static type.
        precondition(MemoryLayout<Function>.size == MemoryLayout<UnsafeMutableRawPointer>.size)
        return unsafeBitCast(address, to: Function.self)
    }
}
