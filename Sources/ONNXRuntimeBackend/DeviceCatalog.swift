import Foundation
import InferenceRuntime

/// Turns ORT's list of compiled-in execution providers into ``Device``s.
///
/// `GetAvailableProviders` says what the build contains, not what the machine has: the
/// `onnxruntime-gpu` wheel lists CUDA on a laptop without an NVIDIA card. So a GPU provider
/// becomes a device only when there is cheap evidence of the hardware (the NVIDIA driver's
/// `/proc` entries, or the platform that the provider exists for). Names and memory come from
/// files, never from calling CUDA; unknown memory stays `nil`.
enum DeviceCatalog {
    static let cpuProvider = "CPUExecutionProvider"

    /// How providers rank for the same hardware: a vendor's compiler over its kernel library over
    /// a generic provider; ORT's CPU provider lowest of all.
    static func devices(providers: [String], procRoot: String = "/proc") -> [Device] {
        let cpu = CPUInfo.read(procRoot: procRoot)
        var devices = [
            Device(
                id: DeviceID("onnxruntime:cpu"), kind: .cpu, vendor: cpu.vendor, name: cpu.name,
                memoryBytes: cpu.memoryBytes, backend: .onnxRuntime, route: cpuProvider, specificity: Device.Specificity.genericCPU)
        ]
        let nvidia = nvidiaGPUs(procRoot: procRoot)
        for provider in providers {
            switch provider {
            case "CUDAExecutionProvider", "TensorRTExecutionProvider":
                let isTensorRT = provider.hasPrefix("TensorRT")
                for (index, name) in nvidia.enumerated() {
                    let prefix = isTensorRT ? "tensorrt" : "cuda"
                    devices.append(
                        Device(
                            id: DeviceID("onnxruntime:\(prefix):\(index)"), kind: .gpu, vendor: "NVIDIA", name: name,
                            memoryBytes: nil, backend: .onnxRuntime, route: provider,
                            specificity: isTensorRT ? Device.Specificity.compiledAccelerator : Device.Specificity.vendorAccelerator))
                }
            case "OpenVINOExecutionProvider":
                // The OpenVINO provider drives the CPU unless configured otherwise: another,
                // faster route to the same processor.
                devices.append(
                    Device(
                        id: DeviceID("onnxruntime:openvino:cpu"), kind: .cpu, vendor: cpu.vendor, name: cpu.name,
                        memoryBytes: cpu.memoryBytes, backend: .onnxRuntime, route: provider,
                        specificity: Device.Specificity.vendorCPU))
            case "DmlExecutionProvider":
                #if os(Windows)
                    devices.append(
                        Device(
                            id: DeviceID("onnxruntime:dml:0"), kind: .gpu, vendor: "", name: "DirectML device 0",
                            memoryBytes: nil, backend: .onnxRuntime, route: provider, specificity: Device.Specificity.genericGPU))
                #endif
            case "CoreMLExecutionProvider":
                #if os(macOS)
                    devices.append(
                        Device(
                            id: DeviceID("onnxruntime:coreml"), kind: .gpu, vendor: "Apple", name: "Core ML",
                            memoryBytes: nil, backend: .onnxRuntime, route: provider, specificity: Device.Specificity.vendorAccelerator))
                #endif
            default:
                continue  // CPU (listed above), Azure (remote), and providers Tessera does not drive
            }
        }
        return devices
    }

    /// One name per NVIDIA GPU the driver reports in `/proc/driver/nvidia/gpus/*/information`.
    /// CUDA numbers devices fastest first, not by bus, so with several GPUs the names are
    /// generic rather than possibly paired with the wrong index.
    static func nvidiaGPUs(procRoot: String) -> [String] {
        let folder = procRoot + "/driver/nvidia/gpus"
        let buses = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
        if buses.count == 1, let text = try? String(contentsOfFile: "\(folder)/\(buses[0])/information", encoding: .utf8),
            let model = CPUInfo.field("Model", in: text)
        {
            return [model]
        }
        return buses.indices.map { "CUDA device \($0)" }
    }

}
