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
        /// The precision to open its session with, where a measurement chose one (fast mode);
        /// `nil` for the run's own.
        public var precision: SessionOptions.Precision?
        /// Another file of the model to run (a variant, by name), where a measurement chose one.
        public var variant: String?

        /// `openvino:CPU`, `openvino:CPU fast`, `openvino:CPU accurate any-int8`.
        public var label: String { SpeedProfile.Measurement.label(device: device.id, precision: precision, variant: variant) }
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
    ///   - profile: measured speeds, if any: only measurements that hold now
    ///     (``SpeedProfile/current(fingerprints:)``).
    ///   - minimumPSNR: the quality floor of fast mode: a measured candidate at the fast
    ///     precision, or running another variant of the model, whose output was below it (or
    ///     was not checked) is never chosen.
    ///   - library, device: the user's restrictions (`--library`, `--device`), matched against
    ///     the backend name and the device id or route.
    public init(
        devices: [Device], reports: [DeviceID: CapabilityReport], failed: Set<DeviceID> = [],
        profile: SpeedProfile? = nil, minimumPSNR: Double? = nil, library: String? = nil, device requested: String? = nil
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

        if let profile, !profile.measurements.isEmpty {
            usable = Self.rankMeasured(usable, profile: profile, minimumPSNR: minimumPSNR, explanation: &explanation)
        }
        for (device, reason) in skipped { explanation.append("skipped \(device.id): \(reason)") }
        if let first = usable.first {
            explanation.append("chose \(first.label) (\(first.device.name))")
        } else {
            explanation.append("no library can run this model on this machine")
        }
        self.ranked = usable
        self.skipped = skipped
        self.explanation = explanation
    }

    /// Measured candidates first, fastest first (a pair may appear once per precision; fast ones
    /// only at or above `minimumPSNR`), then pairs not measured in the policy order, then pairs
    /// that failed when measured (they stay as fallbacks).
    private static func rankMeasured(
        _ usable: [Choice], profile: SpeedProfile, minimumPSNR: Double?, explanation: inout [String]
    ) -> [Choice] {
        var measured: [(choice: Choice, entry: SpeedProfile.Measurement, seconds: Double)] = []
        var belowFloor: [(Choice, SpeedProfile.Measurement)] = []
        var failed: [(Choice, SpeedProfile.Measurement)] = []
        var unmeasured: [Choice] = []
        for choice in usable {
            let entries = profile.measurements.filter { $0.device == choice.device.id }
            if entries.isEmpty { unmeasured.append(choice) }
            for entry in entries {
                var candidate = choice
                candidate.precision = entry.precision
                candidate.variant = entry.variant
                let fast = (entry.precision ?? profile.conditions.precision) == .fast || entry.variant != nil
                if let seconds = entry.rankingSeconds {
                    if let floor = minimumPSNR, fast, (entry.psnr ?? -.infinity) < floor {
                        belowFloor.append((candidate, entry))
                    } else {
                        measured.append((candidate, entry, seconds))
                    }
                } else {
                    failed.append((candidate, entry))
                }
            }
        }
        // Candidates timed again on the larger tile were the close ones on the small tile: they
        // come first, ranked by the larger tile's times.
        measured.sort { ($0.entry.confirmation == nil ? 1 : 0, $0.seconds) < ($1.entry.confirmation == nil ? 1 : 0, $1.seconds) }
        explanation.append("measured on this machine at \(profile.conditions):")
        // Ratios compare times taken on the same tile only.
        let fastest = Dictionary(measured.map { ($0.entry.rankingShape, $0.seconds) }, uniquingKeysWith: min)
        for (choice, entry, seconds) in measured {
            explanation.append(
                String(format: "  %@ %.1f ms (%.2f×)", choice.label, seconds * 1000, seconds / (fastest[entry.rankingShape] ?? seconds))
                    + (entry.psnr.map { Tuner.decibels($0) } ?? "") + " timed at \(entry.rankingShape)"
                    + (entry.confirmation == nil ? "" : String(format: " (%.1f ms at %@)", (entry.seconds ?? 0) * 1000, entry.timedShape)))
        }
        for (choice, entry) in belowFloor {
            let reason = entry.psnr.map { String(format: "%.1f dB is below the quality floor of %.1f dB", $0, minimumPSNR ?? 0) }
                ?? String(format: "quality not checked (the floor is %.1f dB)", minimumPSNR ?? 0)
            explanation.append(String(format: "  %@ %.1f ms, not used: %@", choice.label, (entry.seconds ?? 0) * 1000, reason))
        }
        for (choice, entry) in failed {
            explanation.append("  \(choice.label) failed when measured: \(entry.confirmation?.failure ?? entry.failure ?? "")")
        }
        for choice in unmeasured { explanation.append("  \(choice.device.id) not measured") }
        // A pair that failed at one precision but ran at another is not a fallback twice.
        let fallbacks = failed.map(\.0).filter { choice in !measured.contains { $0.choice.device.id == choice.device.id } }
        return measured.map(\.choice) + unmeasured + fallbacks.map { Choice(device: $0.device, report: $0.report) }
    }

    /// `--device` matches the id (`openvino:GPU.0`), its route (`GPU.0`, `CUDAExecutionProvider`)
    /// or the kind (`cpu`, `gpu`).
    static func matches(_ device: Device, _ requested: String) -> Bool {
        let wanted = requested.lowercased()
        return device.id.rawValue.lowercased() == wanted || device.route.lowercased() == wanted
            || device.kind.rawValue == wanted
    }
}
