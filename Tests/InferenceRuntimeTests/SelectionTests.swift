import InferenceRuntime
import Testing

@Suite("Selection policy")
struct SelectionTests {
    static func device(
        _ id: String, kind: Device.Kind, name: String, memoryGB: Int64?, backend: BackendID, specificity: Int
    ) -> Device {
        Device(
            id: DeviceID(id), kind: kind, vendor: "", name: name, memoryBytes: memoryGB.map { $0 << 30 }, backend: backend,
            route: String(id.split(separator: ":").last ?? ""), specificity: specificity)
    }

    let ortCPU = device("onnxruntime:cpu", kind: .cpu, name: "Xeon", memoryGB: 24, backend: .onnxRuntime, specificity: 10)
    let ovCPU = device("openvino:CPU", kind: .cpu, name: "Xeon", memoryGB: 24, backend: .openVINO, specificity: 20)
    let ortCUDA = device("onnxruntime:cuda:0", kind: .gpu, name: "H100", memoryGB: 80, backend: .onnxRuntime, specificity: 50)
    let ovGPU = device("openvino:GPU.0", kind: .gpu, name: "Arc A770", memoryGB: 16, backend: .openVINO, specificity: 40)

    func ok(_ device: Device) -> CapabilityReport {
        CapabilityReport(backend: device.backend, device: device.id, findings: [])
    }

    func reports(_ devices: [Device]) -> [DeviceID: CapabilityReport] {
        Dictionary(uniqueKeysWithValues: devices.map { ($0.id, ok($0)) })
    }

    @Test("Most memory first, then the most specific library on that device")
    func policyOrder() {
        let all = [ortCPU, ovCPU, ovGPU, ortCUDA]
        let selection = Selection(devices: all, reports: reports(all))
        #expect(selection.ranked.map(\.device.id.rawValue) == [
            "onnxruntime:cuda:0", "openvino:CPU", "onnxruntime:cpu", "openvino:GPU.0",
        ])
        #expect(selection.explanation.last == "chose onnxruntime:cuda:0 (H100)")
    }

    @Test("A failed capability check skips the pair and says why")
    func capabilitySkip() {
        let all = [ortCPU, ovCPU]
        var reports = reports(all)
        let key = OperatorKey(domain: "", type: "Einsum", sinceVersion: 12)
        reports[ovCPU.id] = CapabilityReport(
            backend: .openVINO, device: ovCPU.id,
            findings: [.init(severity: .blocking, nodes: ["'e' (Einsum)"], reason: .operatorMissing(key))])
        let selection = Selection(devices: all, reports: reports)
        #expect(selection.ranked.map(\.device.id) == [ortCPU.id])
        #expect(selection.skipped.first?.reason.contains("Einsum-12 is not implemented") == true)
    }

    @Test("Failed pairs are skipped; a speed profile puts the fastest measured pair first")
    func failuresAndProfile() {
        let all = [ortCPU, ovCPU, ortCUDA]
        let afterFailure = Selection(devices: all, reports: reports(all), failed: [ortCUDA.id])
        #expect(afterFailure.ranked.first?.device.id == ovCPU.id)

        let profile = SpeedProfile(
            modelDigest: "abc", inputShape: "input=1x3x256x256",
            secondsPerRun: ["onnxruntime:cpu": 0.2, "openvino:CPU": 0.4])
        let profiled = Selection(devices: all, reports: reports(all), failed: [ortCUDA.id], profile: profile)
        #expect(profiled.ranked.map(\.device.id) == [ortCPU.id, ovCPU.id])
    }

    @Test("--library and --device restrict the choice")
    func restrictions() {
        let all = [ortCPU, ovCPU, ortCUDA, ovGPU]
        #expect(Selection(devices: all, reports: reports(all), library: "openvino").ranked.map(\.device.id) == [ovCPU.id, ovGPU.id])
        #expect(Selection(devices: all, reports: reports(all), device: "cpu").ranked.map(\.device.id) == [ovCPU.id, ortCPU.id])
        #expect(Selection(devices: all, reports: reports(all), device: "GPU.0").ranked.map(\.device.id) == [ovGPU.id])
        #expect(Selection(devices: all, reports: reports(all), library: "none").ranked.isEmpty)
    }
}
