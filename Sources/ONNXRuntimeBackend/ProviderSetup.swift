internal import CTesseraORT
import Foundation
import InferenceRuntime

/// Builds ORT session options from Tessera's ``SessionOptions`` and the device's route.
enum ProviderSetup {
    /// - Parameter cached: the file to load is a graph ORT optimized and saved earlier, so graph
    ///   optimization is switched off for it.
    static func options(for device: Device, settings: SessionOptions, backend: ONNXRuntimeBackend, cached: Bool)
        throws(BackendError) -> ORTSessionOptions
    {
        let api = backend.api
        let fns = api.functions
        let options = try ORTSessionOptions(api: api)
        if let threads = settings.threads {
            let set = try api.require(fns.SetIntraOpNumThreads, "SetIntraOpNumThreads")
            try api.check(set(options.handle, Int32(clamping: max(threads, 0))), call: "SetIntraOpNumThreads", phase: .setup)
        }
        let setLevel = try api.require(fns.SetSessionGraphOptimizationLevel, "SetSessionGraphOptimizationLevel")
        let level = cached ? ORT_DISABLE_ALL : optimizationLevel(settings.graphOptimization)
        try api.check(setLevel(options.handle, level), call: "SetSessionGraphOptimizationLevel", phase: .setup)
        try appendProvider(for: device, settings: settings, to: options, backend: backend)
        return options
    }

    static func optimizationLevel(_ level: SessionOptions.GraphOptimization) -> GraphOptimizationLevel {
        switch level {
        case .disabled: ORT_DISABLE_ALL
        case .basic: ORT_ENABLE_BASIC
        case .extended: ORT_ENABLE_EXTENDED
        case .all: ORT_ENABLE_ALL
        }
    }

    /// Adds the execution provider the device's route names. ORT's CPU provider is always present
    /// and takes whatever the added provider does not claim.
    private static func appendProvider(
        for device: Device, settings: SessionOptions, to options: ORTSessionOptions, backend: ONNXRuntimeBackend
    ) throws(BackendError) {
        let api = backend.api
        let index = String(device.id.rawValue.split(separator: ":").last ?? "0")
        switch device.route {
        case DeviceCatalog.cpuProvider:
            return
        case "CUDAExecutionProvider":
            try appendCUDA(deviceIndex: index, settings: settings, to: options, backend: backend)
        case "TensorRTExecutionProvider":
            let trt = try ORTTensorRTOptions(api: api)
            var pairs = [("device_id", index)]
            if settings.precision == .fast { pairs.append(("trt_fp16_enable", "1")) }
            try update(trt.handle, pairs, api.functions.UpdateTensorRTProviderOptions, "UpdateTensorRTProviderOptions", api)
            let append = try api.require(
                api.functions.SessionOptionsAppendExecutionProvider_TensorRT_V2, "SessionOptionsAppendExecutionProvider_TensorRT_V2")
            try api.check(append(options.handle, trt.handle), call: "SessionOptionsAppendExecutionProvider_TensorRT_V2", phase: .setup)
            // Nodes TensorRT does not take should run on CUDA rather than fall to the CPU.
            try appendCUDA(deviceIndex: index, settings: settings, to: options, backend: backend)
        case "OpenVINOExecutionProvider":
            try appendByName("OpenVINO", [("device_type", "CPU")], to: options, api: api)
        case "DmlExecutionProvider":
            try appendByName("DML", [("device_id", index)], to: options, api: api)
        case "CoreMLExecutionProvider":
            try appendByName("CoreML", [], to: options, api: api)
        default:
            throw BackendError(
                .unsupported, backend: .onnxRuntime, call: "makeSession",
                message: "Tessera does not know how to add the execution provider '\(device.route)'")
        }
    }

    private static func appendCUDA(
        deviceIndex: String, settings: SessionOptions, to options: ORTSessionOptions, backend: ONNXRuntimeBackend
    ) throws(BackendError) {
        let api = backend.api
        let cuda = try ORTCUDAOptions(api: api)
        var pairs = [("device_id", deviceIndex)]
        // TF32 matrix products are CUDA's default on recent GPUs; they are not float32 accurate.
        if let found = LibraryVersion(backend.version), found >= LibraryVersion(major: 1, minor: 14) {
            pairs.append(("use_tf32", settings.precision == .fast ? "1" : "0"))
        }
        try update(cuda.handle, pairs, api.functions.UpdateCUDAProviderOptions, "UpdateCUDAProviderOptions", api)
        let append = try api.require(
            api.functions.SessionOptionsAppendExecutionProvider_CUDA_V2, "SessionOptionsAppendExecutionProvider_CUDA_V2")
        try api.check(append(options.handle, cuda.handle), call: "SessionOptionsAppendExecutionProvider_CUDA_V2", phase: .setup)
    }

    private typealias UpdateFunction = @convention(c) (
        OpaquePointer?, UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<UnsafePointer<CChar>?>?, Int
    ) -> OpaquePointer?

    private static func update(
        _ target: OpaquePointer, _ pairs: [(String, String)], _ function: UpdateFunction?, _ name: String, _ api: ORTAPI
    ) throws(BackendError) {
        let update = try api.require(function, name)
        let keys = CStringArray(pairs.map(\.0))
        let values = CStringArray(pairs.map(\.1))
        try api.check(update(target, keys.pointers, values.pointers, pairs.count), call: name, phase: .setup)
    }

    private static func appendByName(
        _ provider: String, _ pairs: [(String, String)], to options: ORTSessionOptions, api: ORTAPI
    ) throws(BackendError) {
        let append = try api.require(
            api.functions.SessionOptionsAppendExecutionProvider, "SessionOptionsAppendExecutionProvider")
        let keys = CStringArray(pairs.map(\.0))
        let values = CStringArray(pairs.map(\.1))
        try api.check(
            append(options.handle, provider, keys.pointers, values.pointers, pairs.count),
            call: "SessionOptionsAppendExecutionProvider(\(provider))", phase: .setup)
    }
}
