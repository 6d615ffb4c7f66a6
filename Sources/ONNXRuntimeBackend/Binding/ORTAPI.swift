internal import CTesseraORT
import Foundation
import InferenceRuntime

/// The library's function table, as `GetApi(TESSERA_ORT_API_VERSION)` returned it.
///
/// This is the only place in the target that reads an `OrtStatus *`: every call that returns one
/// goes through ``check(_:call:phase:)``, which turns a failure into a ``BackendError`` and
/// releases the status.
struct ORTAPI: @unchecked Sendable {
    // Unchecked: the table is static, immutable data inside the loaded library, which is never
    // unloaded (DynamicLibrary keeps it for the life of the process); reading it from any thread is safe.
    let table: UnsafePointer<TesseraOrtApi>

    /// Which stage a call belongs to; decides the error kind when ORT's message does not.
    enum Phase {
        case setup, load, run, input

        var kind: BackendError.Kind {
            switch self {
            case .setup: .unsupported
            case .load: .load
            case .run: .run
            case .input: .invalidInput
            }
        }
    }

    /// The functions, read through the pointer so each call sees the library's own slot.
    var functions: TesseraOrtApi { table.pointee }

    /// Throws when `status` is not NULL, with ORT's code and message; always releases the status.
    func check(_ status: OpaquePointer?, call: String, phase: Phase) throws(BackendError) {
        guard let status else { return }
        let fns = functions
        let code = fns.GetErrorCode.map { Int($0(status).rawValue) }
        let message = fns.GetErrorMessage.flatMap { $0(status) }.map { String(cString: $0) } ?? "no message"
        fns.ReleaseStatus?(status)
        throw BackendError(Self.kind(code: code, message: message, phase: phase), backend: .onnxRuntime,
                           call: call, code: code, message: message)
    }

    /// Picks the error kind from ORT's message first (memory and device failures look alike
    /// across codes), then from the stage that failed.
    static func kind(code: Int?, message: String, phase: Phase) -> BackendError.Kind {
        let text = message.lowercased()
        let memory = ["out of memory", "failed to allocate", "bad_alloc", "cudaerrormemoryallocation",
                      "cuda_error_out_of_memory", "cublas_status_alloc_failed", "cudnn_status_alloc_failed"]
        if memory.contains(where: text.contains) { return .outOfMemory }
        let lost = ["cudaerrordevicesunavailable", "cudaerrornodevice", "device lost", "device_removed",
                    "cudaerrorlaunchfailure", "unspecified launch failure"]
        if lost.contains(where: text.contains) { return .deviceLost }
        return phase.kind
    }

    /// Fails with `.symbolMissing` when the library left a slot Tessera calls empty.
    func require<F>(_ function: F?, _ name: String) throws(BackendError) -> F {
        guard let function else {
            throw BackendError(.symbolMissing, backend: .onnxRuntime, call: name,
                               message: "the library's OrtApi table has no \(name)")
        }
        return function
    }

    /// ORT's default CPU allocator; owned by the library, never released.
    func defaultAllocator() throws(BackendError) -> OpaquePointer {
        var allocator: OpaquePointer?
        let get = try require(functions.GetAllocatorWithDefaultOptions, "GetAllocatorWithDefaultOptions")
        try check(get(&allocator), call: "GetAllocatorWithDefaultOptions", phase: .setup)
        guard let allocator else { throw missingResult("GetAllocatorWithDefaultOptions") }
        return allocator
    }

    /// Copies a string the library allocated with `allocator`, then frees it there.
    func takeString(_ pointer: UnsafeMutablePointer<CChar>?, allocator: OpaquePointer) -> String {
        guard let pointer else { return "" }
        let text = String(cString: pointer)
        if let free = functions.AllocatorFree, let status = free(allocator, pointer) {
            functions.ReleaseStatus?(status)  // a failed free only leaks a name
        }
        return text
    }

    /// The execution providers this build of the library contains (not necessarily usable:
    /// a provider's own libraries and hardware are checked when a session is created).
    func availableProviders() throws(BackendError) -> [String] {
        var list: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
        var count: Int32 = 0
        let get = try require(functions.GetAvailableProviders, "GetAvailableProviders")
        try check(get(&list, &count), call: "GetAvailableProviders", phase: .setup)
        guard let list else { return [] }
        let names = (0..<Int(max(count, 0))).compactMap { list[$0].map { String(cString: $0) } }
        if let release = functions.ReleaseAvailableProviders, let status = release(list, count) {
            functions.ReleaseStatus?(status)
        }
        return names
    }

    /// An error for a call that reported success but returned no object.
    func missingResult(_ call: String) -> BackendError {
        BackendError(.unsupported, backend: .onnxRuntime, call: call, message: "returned success but no object")
    }
}
