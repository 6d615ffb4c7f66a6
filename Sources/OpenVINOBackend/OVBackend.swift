public import Foundation
public import InferenceRuntime
import Synchronization

/// Intel's OpenVINO, loaded at run time from `libopenvino_c`, as a Tessera ``Backend``.
///
/// Obtain one with ``discover(environment:)``, which also explains every library file it
/// rejected, or with ``load(path:)`` for one known file. The backend is immutable apart from a
/// cached device list and may be shared by all tasks; its sessions may be run concurrently.
///
/// ```swift
/// let discovery = OVBackend.discover()
/// guard let openVINO = discovery.backend else { discovery.attempts.forEach { print($0) }; return }
/// guard let cpu = openVINO.devices().first(where: { $0.kind == .cpu }) else { return }
/// let session = try await openVINO.makeSession(model: url, device: cpu, options: SessionOptions())
/// let outputs = try session.run(["input": image])
/// ```
public final class OVBackend: Backend {
    public let id = BackendID.openVINO
    /// The build number OpenVINO reports, e.g. `2026.4.1-22982-e213a147257-releases/2026/4`.
    public let version: String
    public let libraryPath: String

    let core: OVCore
    private let deviceCache = Mutex<[Device]?>(nil)

    init(core: OVCore, version: String, libraryPath: String) {
        self.core = core
        self.version = version
        self.libraryPath = libraryPath
    }

    /// What OpenVINO supports, measured by `Scripts/probe-openvino-operators.py` on the CPU plugin;
    /// `nil` only if the resource is missing from the build.
    public static let operatorTable: OperatorSupportTable? = {
        guard let url = Bundle.module.url(forResource: "operators-openvino", withExtension: "json"),
            let data = try? Data(contentsOf: url)
        else { return nil }
        return try? OperatorSupportTable(json: data)
    }()

    /// CPU, GPU and NPU devices OpenVINO's plugins find, enumerated once and cached (asking loads
    /// every plugin, which can take a moment with a GPU driver present).
    public func devices() -> [Device] {
        if let cached = deviceCache.withLock({ $0 }) { return cached }
        let names = (try? core.availableDevices()) ?? []
        let found = names.compactMap(describeDevice)
        deviceCache.withLock { $0 = found }
        return found
    }

    /// The fast precision computes in bfloat16 or float16 on GPUs and NPUs, and on CPUs with
    /// bfloat16 or float16 arithmetic (AVX512-BF16, AMX, AVX512-FP16); elsewhere OpenVINO's CPU
    /// plugin stays in float32 whatever the hint, and only `.accurate` is offered.
    public func precisions(on device: Device) -> [SessionOptions.Precision] {
        guard device.kind == .cpu else { return [.accurate, .fast] }
        let narrow: Set<String> = ["avx512_bf16", "amx_bf16", "avx512_fp16"]
        return CPUFeatures.read().flags.isDisjoint(with: narrow) ? [.accurate] : [.accurate, .fast]
    }

    /// Operator support from ``operatorTable``. OpenVINO has no per-node fallback to another
    /// device unless the model is compiled for `HETERO`, which Tessera does not do, so every gap
    /// blocks, on the CPU as on a GPU.
    public func capability(of model: ModelSummary, on device: Device) -> CapabilityReport {
        var findings: [CapabilityReport.Finding] = []
        if let table = Self.operatorTable {
            findings += table.findings(for: model, severity: .blocking)
            if !model.spelledOutDomainNodes.isEmpty {
                // Its ONNX frontend finds no translator for domain "ai.onnx" spelled out.
                findings.append(
                    .init(
                        severity: .blocking, nodes: model.spelledOutDomainNodes,
                        reason: .other("OpenVINO reads only the empty domain as ai.onnx, not the name spelled out")))
            }
            if device.kind != .cpu {
                findings.append(
                    .init(
                        severity: .note, nodes: [],
                        reason: .other("operator support was measured on the CPU plugin; \(device.route) may differ")))
            }
        } else {
            findings.append(
                .init(
                    severity: .blocking, nodes: [],
                    reason: .other("OpenVINO's operator table is missing from this build")))
        }
        return CapabilityReport(backend: id, device: device.id, findings: findings)
    }

    /// Reads and compiles `model` for `device` with OpenVINO.
    ///
    /// The compile runs on a Dispatch worker, not on the calling task's thread: it blocks for as
    /// long as OpenVINO takes (seconds for a large model). With a
    /// ``SessionOptions/cacheDirectory`` the first load also exports the compiled model there,
    /// one blob per model file, device and options, and a later load with the same file
    /// (unchanged: same path, size and modification time) and options imports that blob without
    /// reading the model; devices that cannot export use OpenVINO's own `CACHE_DIR` instead.
    /// - Throws: ``BackendError``: `.load` with OpenVINO's message when it cannot read or compile
    ///   the model, `.invalidInput` when `options.inputShapes` does not fit the model's inputs,
    ///   `.unsupported` for a device of another backend or a model with string tensors.
    public func makeSession(model: URL, device: Device, options: SessionOptions) async throws -> any Session {
        guard device.backend == id, !device.route.isEmpty else {
            throw BackendError(
                .unsupported, backend: id, call: "makeSession", message: "\(device.id) is not an OpenVINO device")
        }
        let core = self.core
        let version = self.version
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async {
                do {
                    let session = try OVSession.compile(
                        model: model, device: device, options: options, core: core, version: version)
                    continuation.resume(returning: session)
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }

    // MARK: - Devices

    private func describeDevice(_ name: String) -> Device? {
        let kind: Device.Kind
        if name.hasPrefix("CPU") {
            kind = .cpu
        } else if name.hasPrefix("GPU") {
            kind = .gpu
        } else if name.hasPrefix("NPU") {
            kind = .npu
        } else {
            return nil  // virtual or unknown plugins (AUTO, HETERO, vendor extensions) are not devices
        }
        let fullName = core.property("FULL_DEVICE_NAME", device: name) ?? name
        let memory: Int64? =
            switch kind {
            case .cpu: Self.systemMemoryBytes()
            case .gpu: core.property("GPU_DEVICE_TOTAL_MEM_SIZE", device: name).flatMap { Int64($0) }
            case .npu: core.property("NPU_DEVICE_TOTAL_MEM_SIZE", device: name).flatMap { Int64($0) }
            case .remote: nil
            }
        // OpenVINO's GPU and NPU plugins drive Intel hardware only; a CPU names its maker.
        let vendor =
            kind != .cpu
            ? "Intel" : ["Intel", "AMD", "Apple", "ARM"].first { fullName.localizedCaseInsensitiveContains($0) } ?? ""
        return Device(
            id: DeviceID("openvino:\(name)"), kind: kind, vendor: vendor, name: fullName, memoryBytes: memory,
            backend: id, route: name, specificity: Self.specificity(kind: kind, vendor: vendor))
    }

    /// OpenVINO is Intel's own library: the vendor route on Intel processors, a generic one elsewhere.
    static func specificity(kind: Device.Kind, vendor: String) -> Int {
        switch (kind, vendor) {
        case (.cpu, "Intel"): Device.Specificity.vendorCPU
        case (.cpu, _): Device.Specificity.genericCPU
        default: Device.Specificity.vendorAccelerator
        }
    }

    /// `MemTotal` from `/proc/meminfo`, or Foundation's figure where that file does not exist.
    static func systemMemoryBytes() -> Int64 {
        if let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix("MemTotal:") }),
            let kibibytes = line.split(separator: " ").dropFirst().first.flatMap({ Int64($0) })
        {
            return kibibytes * 1024
        }
        return Int64(ProcessInfo.processInfo.physicalMemory)
    }
}
