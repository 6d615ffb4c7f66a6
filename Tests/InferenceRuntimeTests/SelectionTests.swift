import Foundation
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

        let conditions = SpeedProfile.Conditions(modelDigest: "abc", inputShape: "input=1x3x256x256", threads: 2, precision: .accurate)
        let profile = SpeedProfile(conditions: conditions, measurements: [
            .init(device: ortCPU.id, fingerprint: "a", seconds: 0.2, timedShape: "input=1x3x64x64"),
            .init(device: ovCPU.id, fingerprint: "b", seconds: 0.4, timedShape: "input=1x3x64x64"),
        ])
        let profiled = Selection(devices: all, reports: reports(all), failed: [ortCUDA.id], profile: profile)
        #expect(profiled.ranked.map(\.device.id) == [ortCPU.id, ovCPU.id])
        #expect(profiled.explanation.contains("  openvino:CPU 400.0 ms (2.00×) timed at input=1x3x64x64"))
    }

    @Test("Contenders timed again on a larger tile rank by those times, ahead of pairs that were far behind on the small one")
    func confirmedContenders() {
        let all = [ortCPU, ovCPU, ovGPU]
        let conditions = SpeedProfile.Conditions(modelDigest: "abc", inputShape: "input=1x3x544x544", threads: 2, precision: .accurate)
        var profile = SpeedProfile(conditions: conditions, measurements: [
            .init(device: ortCPU.id, fingerprint: "a", seconds: 0.10, timedShape: "input=1x3x64x64"),
            .init(device: ovCPU.id, fingerprint: "b", seconds: 0.12, timedShape: "input=1x3x64x64"),
            .init(device: ovGPU.id, fingerprint: "g", seconds: 0.25, timedShape: "input=1x3x64x64"),
        ])
        // Within 2× of the fastest: the first two; the GPU pair was 2.5× behind.
        let contenders = profile.contenders(ratio: 2, limit: 3)
        #expect(contenders.map(\.device) == [ortCPU.id, ovCPU.id])
        profile.confirm([
            (contenders[0], .init(seconds: 0.9, shape: "input=1x3x256x256")),
            (contenders[1], .init(seconds: 0.6, shape: "input=1x3x256x256")),
        ])
        let selection = Selection(devices: all, reports: reports(all), profile: profile)
        #expect(selection.ranked.map(\.device.id) == [ovCPU.id, ortCPU.id, ovGPU.id])
        #expect(selection.explanation.contains(
            "  onnxruntime:cpu 900.0 ms (1.50×) timed at input=1x3x256x256 (100.0 ms at input=1x3x64x64)"))
        #expect(selection.explanation.contains("  openvino:GPU.0 250.0 ms (1.00×) timed at input=1x3x64x64"))

        // A contender that fails on the larger tile becomes a fallback; clearing drops every confirmation.
        profile.confirm([(contenders[1], .init(seconds: nil, shape: "input=1x3x256x256", failure: "out of memory"))])
        let afterFailure = Selection(devices: all, reports: reports(all), profile: profile)
        #expect(afterFailure.ranked.map(\.device.id) == [ortCPU.id, ovGPU.id, ovCPU.id])
        #expect(afterFailure.explanation.contains("  openvino:CPU failed when measured: out of memory"))
        profile.confirm([])
        #expect(profile.measurements.allSatisfy { $0.confirmation == nil })
    }

    @Test("Measured pairs first by speed, then unmeasured ones in policy order, then those that failed when measured")
    func measuredOrder() {
        let all = [ortCPU, ovCPU, ortCUDA, ovGPU]
        let conditions = SpeedProfile.Conditions(modelDigest: "abc", inputShape: "input=1x3x256x256", threads: nil, precision: .accurate)
        let profile = SpeedProfile(conditions: conditions, measurements: [
            .init(device: ortCUDA.id, fingerprint: "c", seconds: nil, failure: "out of memory", timedShape: "input=1x3x64x64"),
            .init(device: ovGPU.id, fingerprint: "g", seconds: 0.3, timedShape: "input=1x3x64x64"),
            .init(device: ortCPU.id, fingerprint: "a", seconds: 0.5, timedShape: "input=1x3x64x64"),
        ])
        let selection = Selection(devices: all, reports: reports(all), profile: profile)
        #expect(selection.ranked.map(\.device.id) == [ovGPU.id, ortCPU.id, ovCPU.id, ortCUDA.id])
        #expect(selection.explanation.contains("  onnxruntime:cuda:0 failed when measured: out of memory"))
        #expect(selection.explanation.last == "chose openvino:GPU.0 (Arc A770)")
    }

    @Test("Fast mode: a fast candidate below the floor, or never checked, is not chosen; float32 ones need no check")
    func qualityFloor() {
        let all = [ortCPU, ovCPU]
        let conditions = SpeedProfile.Conditions(modelDigest: "abc", inputShape: "input=1x3x256x256", threads: nil, precision: .fast)
        let profile = SpeedProfile(conditions: conditions, measurements: [
            .init(device: ovCPU.id, precision: .fast, fingerprint: "b", seconds: 0.1, timedShape: "s", psnr: 38),
            .init(device: ortCPU.id, precision: .fast, fingerprint: "a", seconds: 0.15, timedShape: "s"),
            .init(device: ovCPU.id, precision: .accurate, fingerprint: "b", seconds: 0.2, timedShape: "s", psnr: 140),
            .init(device: ortCPU.id, precision: .accurate, fingerprint: "a", seconds: 0.3, timedShape: "s"),
        ])
        let floored = Selection(devices: all, reports: reports(all), profile: profile, minimumPSNR: 45)
        #expect(floored.ranked.map(\.device.id) == [ovCPU.id, ortCPU.id])
        #expect(floored.ranked.map(\.precision) == [.accurate, .accurate])
        #expect(floored.explanation.contains("  openvino:CPU fast 100.0 ms, not used: 38.0 dB is below the quality floor of 45.0 dB"))
        #expect(floored.explanation.contains("  onnxruntime:cpu fast 150.0 ms, not used: quality not checked (the floor is 45.0 dB)"))
        let unchecked = Selection(devices: all, reports: reports(all), profile: profile)
        #expect(unchecked.ranked.first.map { [$0.device.id.rawValue, $0.precision?.rawValue] } == ["openvino:CPU", "fast"])
    }

    @Test("A profile keeps only measurements whose pair is unchanged, and records new ones in place of old")
    func profileFingerprints() throws {
        let conditions = SpeedProfile.Conditions(modelDigest: "abc", inputShape: "input=1x3x256x256", threads: 1, precision: .fast)
        var profile = SpeedProfile(conditions: conditions, measurements: [
            .init(device: ortCPU.id, fingerprint: "ort 1.30", seconds: 0.2, timedShape: "input=1x3x64x64"),
            .init(device: ovCPU.id, fingerprint: "ov 2026.4", seconds: 0.4, timedShape: "input=1x3x64x64"),
        ])
        let now: Set<String> = ["ort 1.31", "ov 2026.4", "ov 2026.4 gpu"]
        #expect(profile.current(fingerprints: now).measurements.map(\.device) == [ovCPU.id])
        #expect(!profile.isMeasured(ortCPU.id, precision: nil, fingerprint: "ort 1.31"))
        #expect(profile.isMeasured(ovCPU.id, precision: nil, fingerprint: "ov 2026.4"))
        #expect(!profile.isMeasured(ovCPU.id, precision: .fast, fingerprint: "ov 2026.4"))
        // Whole seconds: the file keeps ISO 8601 dates.
        let when = Date(timeIntervalSince1970: 1_800_000_000)
        profile.measurements = profile.measurements.map { var entry = $0; entry.measuredAt = when; return entry }
        profile.record([.init(device: ortCPU.id, fingerprint: "ort 1.31", seconds: 0.1, timedShape: "input=1x3x64x64", measuredAt: when)])
        profile.record([.init(device: ortCPU.id, precision: .fast, fingerprint: "ort 1.31", seconds: 0.05, timedShape: "input=1x3x64x64", measuredAt: when)])
        #expect(profile.measurements.count == 3)
        #expect(profile.current(fingerprints: now).measurements.first { $0.device == ortCPU.id && $0.precision == nil }?.seconds == 0.1)

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("profile-\(UInt64.random(in: 0...UInt64.max))")
        defer { try? FileManager.default.removeItem(at: folder) }
        try profile.save(in: folder)
        #expect(SpeedProfile.load(conditions, from: folder) == profile)
        var otherThreads = conditions
        otherThreads.threads = 2
        #expect(SpeedProfile.load(otherThreads, from: folder) == nil)
        #expect(SpeedProfile.url(for: otherThreads, in: folder) != SpeedProfile.url(for: conditions, in: folder))
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
