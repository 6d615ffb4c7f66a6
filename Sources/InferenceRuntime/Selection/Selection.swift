/// The policy that orders (library, device) pairs for a model, as DESIGN.md sets it:
///
/// 1. devices by memory, most first;
/// 2. on each device, libraries by how specific they are to it (a vendor's provider before a
///    generic one, the reference engine last);
/// 3. pairs whose capability check fails are skipped, with the reason;
/// 4. where a speed profile has measured pairs, they come first, fastest first (pairs that failed
///    while measured go last);
/// 5. pairs that failed at load or run time are skipped.
///
/// A pure function of its inputs, so the whole policy is testable without any library.
public struct Selection: Sendable {
    /// One pair that could run the model.
    public struct Choice: Sendable, Hashable {
        public var device: Device
        public var report: CapabilityReport
    }

    /// The usable pairs, best first.
    public var ranked: [Choice]
    /// Pairs that were skipped, with why.
    public var skipped: [(device: Device, reason: String)]
    /// The reasoning, one line per step, for `--explain`.
    public var explanation: [String]

    /// Ranks `reports` (one per pair) for a run.
    /// - Parameters:
    ///   - devices: every pair's device; the report for each is looked up by device id.
    ///   - failed: device ids that failed earlier in this run.
    ///   - profile: measured speeds, if any.
    ///   - library, device: the user's restrictions (`--library`, `--device`), matched against
    ///     the backend name and the device id or route.
    public init(
        devices: [Device], reports: [DeviceID: CapabilityReport], failed: Set<DeviceID> = [],
        profile: SpeedProfile? = nil, library: String? = nil, device requested: String? = nil
    ) {
        var explanation: [String] = []
        var skipped: [(Device, String)] = []
        var usable: [Choice] = []
        for device in devices {
            if let library, device.backend.rawValue != library {
                skipped.append((device, "--library \(library) was requested"))
            } else if let requested, !Self.matches(device, requested) {
                skipped.append((device, "--device \(requested) was requested"))
            } else if failed.contains(device.id) {
                skipped.append((device, "failed earlier in this run"))
            } else if let report = reports[device.id], report.verdict == .unsupported {
                let blocking = report.findings.filter { $0.severity == .blocking }.map(\.description)
                skipped.append((device, blocking.joined(separator: "; ")))
            } else if let report = reports[device.id] {
                usable.append(Choice(device: device, report: report))
            } else {
                skipped.append((device, "no capability report"))
            }
        }

        // Memory per physical device: the largest any library reports for it.
        var memory: [String: Int64] = [:]
        for device in devices { memory[device.physicalKey] = max(memory[device.physicalKey] ?? 0, device.memoryBytes ?? 0) }
        usable.sort { a, b in
            let ma = memory[a.device.physicalKey] ?? 0
            let mb = memory[b.device.physicalKey] ?? 0
            if ma != mb { return ma > mb }
            if a.device.physicalKey != b.device.physicalKey { return a.device.physicalKey < b.device.physicalKey }
            if a.device.specificity != b.device.specificity { return a.device.specificity > b.device.specificity }
            return a.device.id < b.device.id
        }
        explanation.append("policy order (memory, then library specificity): "
            + usable.map { "\($0.device.id)" }.joined(separator: ", "))

        if let profile {
            let times = Dictionary(
                profile.measurements.map { ($0.device, $0) }, uniquingKeysWith: { _, last in last })
            let measured = usable.compactMap { choice in
                times[choice.device.id]?.seconds.map { (choice: choice, seconds: $0) }
            }.sorted { $0.seconds < $1.seconds }
            let failedWhenMeasured = usable.filter { times[$0.device.id].map { $0.seconds == nil } ?? false }
            let unmeasured = usable.filter { times[$0.device.id] == nil }
            if !measured.isEmpty || !failedWhenMeasured.isEmpty {
                // Measured pairs by speed; pairs not measured keep the policy order after them;
                // pairs that failed while measured come last (they stay as fallbacks).
                usable = measured.map(\.choice) + unmeasured + failedWhenMeasured
                explanation.append("measured on this machine at \(profile.conditions):")
                let fastest = measured.first?.seconds
                for entry in measured {
                    let timed = times[entry.choice.device.id]?.timedShape ?? ""
                    let ratio = fastest.map { String(format: " (%.2f×)", entry.seconds / $0) } ?? ""
                    explanation.append(String(
                        format: "  %@ %.1f ms%@ timed at %@", entry.choice.device.id.rawValue, entry.seconds * 1000, ratio, timed))
                }
                for choice in failedWhenMeasured {
                    explanation.append("  \(choice.device.id) failed when measured: \(times[choice.device.id]?.failure ?? "")")
                }
                for choice in unmeasured { explanation.append("  \(choice.device.id) not measured") }
            }
        }
        for (device, reason) in skipped { explanation.append("skipped \(device.id): \(reason)") }
        if let first = usable.first {
            explanation.append("chose \(first.device.id) (\(first.device.name))")
        } else {
            explanation.append("no library can run this model on this machine")
        }
        self.ranked = usable
        self.skipped = skipped
        self.explanation = explanation
    }

    /// `--device` matches the id (`openvino:GPU.0`), its route (`GPU.0`, `CUDAExecutionProvider`)
    /// or the kind (`cpu`, `gpu`).
    static func matches(_ device: Device, _ requested: String) -> Bool {
        let wanted = requested.lowercased()
        return device.id.rawValue.lowercased() == wanted || device.route.lowercased() == wanted
            || device.kind.rawValue == wanted
    }
}
