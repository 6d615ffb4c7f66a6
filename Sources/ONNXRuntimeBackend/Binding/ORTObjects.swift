internal import CTesseraORT
import Foundation
import InferenceRuntime

// One final class per ORT object: the class owns exactly one pointer, created by the library,
// and its deinit hands it back with the matching Release function. Construction goes through
// `init(takingOwnership:)` so a transfer of ownership is visible where it happens.
//
// The classes are `@unchecked Sendable` because ORT documents these objects as safe to share:
// an environment and a memory description are read-only after creation, and `OrtApi::Run` may be
// called on one session from several threads at once. Nothing here mutates after init.

/// The process-wide ORT environment (logging and the default thread pools).
final class ORTEnvironment: @unchecked Sendable {
    let api: ORTAPI
    let handle: OpaquePointer

    /// Creates (or, inside ORT, shares) the environment; logs only errors, because Tessera
    /// reports failures itself from the returned status.
    init(api: ORTAPI) throws(BackendError) {
        var handle: OpaquePointer?
        let create = try api.require(api.functions.CreateEnv, "CreateEnv")
        try api.check(create(ORT_LOGGING_LEVEL_ERROR, "tessera", &handle), call: "CreateEnv", phase: .setup)
        guard let handle else { throw api.missingResult("CreateEnv") }
        self.api = api
        self.handle = handle
    }

    deinit { api.functions.ReleaseEnv?(handle) }
}

/// A description of plain CPU memory, used to wrap caller-owned input buffers.
final class ORTMemoryInfo: @unchecked Sendable {
    let api: ORTAPI
    let handle: OpaquePointer

    init(api: ORTAPI) throws(BackendError) {
        var handle: OpaquePointer?
        let create = try api.require(api.functions.CreateCpuMemoryInfo, "CreateCpuMemoryInfo")
        try api.check(create(OrtDeviceAllocator, OrtMemTypeDefault, &handle), call: "CreateCpuMemoryInfo", phase: .setup)
        guard let handle else { throw api.missingResult("CreateCpuMemoryInfo") }
        self.api = api
        self.handle = handle
    }

    deinit { api.functions.ReleaseMemoryInfo?(handle) }
}

/// Options for one session under construction; dropped once the session exists.
final class ORTSessionOptions {
    let api: ORTAPI
    let handle: OpaquePointer

    init(api: ORTAPI) throws(BackendError) {
        var handle: OpaquePointer?
        let create = try api.require(api.functions.CreateSessionOptions, "CreateSessionOptions")
        try api.check(create(&handle), call: "CreateSessionOptions", phase: .setup)
        guard let handle else { throw api.missingResult("CreateSessionOptions") }
        self.api = api
        self.handle = handle
    }

    deinit { api.functions.ReleaseSessionOptions?(handle) }
}

/// A loaded model. Keeps its environment alive: ORT requires the environment to outlive sessions.
final class ORTSessionHandle: @unchecked Sendable {
    let api: ORTAPI
    let handle: OpaquePointer
    let environment: ORTEnvironment

    init(takingOwnership handle: OpaquePointer, environment: ORTEnvironment) {
        self.api = environment.api
        self.handle = handle
        self.environment = environment
    }

    deinit { api.functions.ReleaseSession?(handle) }
}

/// One tensor value, either wrapping a caller's buffer or allocated by ORT (run outputs).
/// Sendable so a run output can be released by whichever thread drops the last tensor sharing
/// its buffer; ORT allows releasing a value from any thread.
final class ORTValue: @unchecked Sendable {
    let api: ORTAPI
    let handle: OpaquePointer

    init(takingOwnership handle: OpaquePointer, api: ORTAPI) {
        self.api = api
        self.handle = handle
    }

    deinit { api.functions.ReleaseValue?(handle) }
}

/// A type description returned for a session input or output.
final class ORTTypeInfo {
    let api: ORTAPI
    let handle: OpaquePointer

    init(takingOwnership handle: OpaquePointer, api: ORTAPI) {
        self.api = api
        self.handle = handle
    }

    deinit { api.functions.ReleaseTypeInfo?(handle) }
}

/// The element type and shape of a value, returned by `GetTensorTypeAndShape`.
final class ORTTensorInfo {
    let api: ORTAPI
    let handle: OpaquePointer

    init(takingOwnership handle: OpaquePointer, api: ORTAPI) {
        self.api = api
        self.handle = handle
    }

    deinit { api.functions.ReleaseTensorTypeAndShapeInfo?(handle) }
}

/// Provider options for CUDA (`CreateCUDAProviderOptions`).
final class ORTCUDAOptions {
    let api: ORTAPI
    let handle: OpaquePointer

    init(api: ORTAPI) throws(BackendError) {
        var handle: OpaquePointer?
        let create = try api.require(api.functions.CreateCUDAProviderOptions, "CreateCUDAProviderOptions")
        try api.check(create(&handle), call: "CreateCUDAProviderOptions", phase: .setup)
        guard let handle else { throw api.missingResult("CreateCUDAProviderOptions") }
        self.api = api
        self.handle = handle
    }

    deinit { api.functions.ReleaseCUDAProviderOptions?(handle) }
}

/// Provider options for TensorRT (`CreateTensorRTProviderOptions`).
final class ORTTensorRTOptions {
    let api: ORTAPI
    let handle: OpaquePointer

    init(api: ORTAPI) throws(BackendError) {
        var handle: OpaquePointer?
        let create = try api.require(api.functions.CreateTensorRTProviderOptions, "CreateTensorRTProviderOptions")
        try api.check(create(&handle), call: "CreateTensorRTProviderOptions", phase: .setup)
        guard let handle else { throw api.missingResult("CreateTensorRTProviderOptions") }
        self.api = api
        self.handle = handle
    }

    deinit { api.functions.ReleaseTensorRTProviderOptions?(handle) }
}

/// Owns copies of C strings for calls that take `const char *const *` (names, option keys).
final class CStringArray: @unchecked Sendable {
    // Unchecked: the pointers are written once in init and only read afterwards.
    let pointers: [UnsafePointer<CChar>?]

    convenience init(_ strings: [String]) {
        self.init(bytes: strings.map { Data($0.utf8) })
    }

    /// NUL-terminated copies of raw bytes (which must not contain NUL themselves).
    init(bytes elements: [Data]) {
        pointers = elements.map { element in
            let copy = UnsafeMutablePointer<CChar>.allocate(capacity: element.count + 1)
            element.withUnsafeBytes { raw in
                UnsafeMutableRawBufferPointer(start: copy, count: element.count).copyMemory(from: raw)
            }
            copy[element.count] = 0
            return UnsafePointer(copy)
        }
    }

    deinit {
        for pointer in pointers { pointer?.deallocate() }
    }
}
