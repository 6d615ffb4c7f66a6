import Foundation

/// What a (library, device) pair's speed depends on besides the model and the run's settings:
/// the library's build, the device, and the host it runs on. A speed measurement is valid only
/// while its pair's fingerprint stays the same.
public enum PairFingerprint {
    /// The fingerprint of `device` driven by `backend` on this machine.
    public static func of(_ backend: any Backend, device: Device) -> String {
        var parts = [backend.buildIdentity, "\(device.id) \(device.name)", host]
        if device.kind == .gpu, let driver = nvidiaDriver { parts.append(driver) }
        return FileDigest.sha256(of: Data(parts.joined(separator: "\n").utf8))
    }

    /// The CPU model, its instruction-set flags and the cores the process may use: what every
    /// library's CPU speed (and its kernel choice) follows.
    static let host: String = {
        let cpu = CPUInfo.read()
        let flags = CPUFeatures.read().flags.sorted().joined(separator: " ")
        return "\(cpu.name) [\(flags)] \(ProcessInfo.processInfo.activeProcessorCount) cores"
    }()

    /// The NVIDIA kernel driver's version line, where the driver is loaded.
    static let nvidiaDriver: String? = try? String(contentsOfFile: "/proc/driver/nvidia/version", encoding: .utf8)

    /// Size and modification time of the file at `path`, or `absent`: a rebuilt or upgraded
    /// library changes it even when its version string does not.
    public static func stamp(ofFile path: String) -> String {
        guard !path.isEmpty, let stamp = try? FileStamp(path: path) else { return "absent" }
        return "\(stamp.size)@\(Int64(stamp.modified))"
    }
}

extension Backend {
    /// One precision, float32: most libraries have no narrower mode on most devices.
    public func precisions(on device: Device) -> [SessionOptions.Precision] { [.accurate] }

    /// The library's version, path and file stamp; see ``Backend/buildIdentity``.
    public var buildIdentity: String {
        "\(id) \(version) \(libraryPath) \(PairFingerprint.stamp(ofFile: libraryPath))"
    }
}
