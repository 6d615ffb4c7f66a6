import Foundation

/// The CPU's name, vendor and the machine's memory, from `/proc` on Linux: every library's CPU
/// device is named from here, so selection sees one physical CPU however many libraries drive it.
public struct CPUInfo: Sendable {
    public var name: String
    public var vendor: String
    public var memoryBytes: Int64?

    /// Reads `cpuinfo` and `meminfo` below `procRoot` (`/proc`; tests point it elsewhere).
    public static func read(procRoot: String = "/proc") -> CPUInfo {
        let cpuinfo = (try? String(contentsOfFile: procRoot + "/cpuinfo", encoding: .utf8)) ?? ""
        let meminfo = (try? String(contentsOfFile: procRoot + "/meminfo", encoding: .utf8)) ?? ""
        let name = field("model name", in: cpuinfo) ?? "CPU"
        let vendor: String =
            switch field("vendor_id", in: cpuinfo) ?? "" {
            case "GenuineIntel": "Intel"
            case "AuthenticAMD": "AMD"
            case let other: other
            }
        // "MemTotal:       24512345 kB"
        var memory: Int64?
        if let total = field("MemTotal", in: meminfo),
            let kilobytes = Int64(total.split(separator: " ").first ?? "")
        {
            memory = kilobytes * 1024
        } else {
            memory = Int64(exactly: ProcessInfo.processInfo.physicalMemory)
        }
        return CPUInfo(name: name, vendor: vendor, memoryBytes: memory)
    }

    /// The value after `key:` on the first line that starts with `key`.
    public static func field(_ key: String, in text: String) -> String? {
        for line in text.split(separator: "\n") where line.hasPrefix(key) {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces)
            guard name == key else { continue }
            return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return nil
    }
}
