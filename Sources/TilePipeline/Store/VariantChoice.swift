public import InferenceRuntime
public import ModelManifest

/// One (library, device) pair a variant could run on, as variant choice sees it.
public struct VariantCandidate: Sendable, Hashable {
    /// The device; its `backend` is the library and `memoryBytes` its memory.
    public var device: Device
    /// The library's version string, e.g. `1.31.1`.
    public var libraryVersion: String

    public init(device: Device, libraryVersion: String) {
        self.device = device
        self.libraryVersion = libraryVersion
    }
}

/// Which variant of a manifest to use, decided before anything is downloaded or loaded.
///
/// A pure function of the manifest and the candidates: for each candidate in preference order,
/// the variants are tried by precision (fp16 first on a GPU or with OpenVINO, fp32 first
/// otherwise; int8 last) and, at equal precision, variants made for the candidate's library
/// before variants for any library. The first variant that the library may run, whose
/// requirements the candidate meets, and that `capability` does not refuse is chosen. Every
/// rejection is explained.
///
/// ```swift
/// let choice = VariantChoice(manifest: manifest, candidates: [VariantCandidate(device: cpu, libraryVersion: "1.31.1")])
/// if let pick = choice.pick { print(pick.variant.name, pick.candidate.device.id) }
/// ```
public struct VariantChoice: Sendable {
    /// The chosen variant and the pair it will run on.
    public struct Pick: Sendable, Hashable {
        public var variant: ModelManifest.Variant
        public var candidate: VariantCandidate
    }

    /// `nil` when no variant fits any candidate.
    public var pick: Pick?
    /// One line per rejection, then the decision.
    public var explanation: [String]

    /// - Parameters:
    ///   - candidates: library and device pairs, best first.
    ///   - capability: why `variant` cannot run on `candidate`, or `nil` when it can (or when
    ///     that is not known yet); by default nothing is refused.
    public init(
        manifest: ModelManifest, candidates: [VariantCandidate],
        capability: (ModelManifest.Variant, VariantCandidate) -> String? = { _, _ in nil }
    ) {
        var explanation: [String] = []
        for candidate in candidates {
            for variant in Self.ordered(manifest.variants, for: candidate) {
                let reason = Self.rejection(of: variant, on: candidate) ?? capability(variant, candidate)
                if let reason {
                    explanation.append("\(variant.name) on \(candidate.device.id): \(reason)")
                    continue
                }
                explanation.append(
                    "chose \(variant.name) for \(candidate.device.id) (\(candidate.device.backend) \(candidate.libraryVersion))")
                self.pick = Pick(variant: variant, candidate: candidate)
                self.explanation = explanation
                return
            }
        }
        explanation.append(
            candidates.isEmpty ? "no inference library was found" : "no variant of \(manifest.id) fits a library on this machine")
        self.pick = nil
        self.explanation = explanation
    }

    /// Precisions in the order `candidate` prefers them: half precision pays on GPUs and in
    /// OpenVINO (which computes in reduced precision anyway); elsewhere float32 is the accurate,
    /// fast default. int8 changes results most, so it comes last.
    public static func preferredPrecisions(for candidate: VariantCandidate) -> [ModelManifest.Precision] {
        candidate.device.kind == .gpu || candidate.device.backend == .openVINO ? [.fp16, .fp32, .int8] : [.fp32, .fp16, .int8]
    }

    /// The variants in the order they are tried on `candidate`.
    static func ordered(_ variants: [ModelManifest.Variant], for candidate: VariantCandidate) -> [ModelManifest.Variant] {
        let precisions = preferredPrecisions(for: candidate)
        return variants.enumerated().sorted { a, b in
            let pa = precisions.firstIndex(of: a.element.precision) ?? precisions.count
            let pb = precisions.firstIndex(of: b.element.precision) ?? precisions.count
            if pa != pb { return pa < pb }
            let sa = a.element.library == nil ? 1 : 0
            let sb = b.element.library == nil ? 1 : 0
            if sa != sb { return sa < sb }
            return a.offset < b.offset
        }.map(\.element)
    }

    /// Why `variant` cannot use `candidate` by library or requirements, or `nil`.
    static func rejection(of variant: ModelManifest.Variant, on candidate: VariantCandidate) -> String? {
        let library = candidate.device.backend.rawValue
        if let wanted = variant.library, wanted.rawValue != library { return "made for \(wanted), not \(library)" }
        if let minimum = variant.requires?.minVersion {
            guard let found = LibraryVersion(candidate.libraryVersion) else {
                return "\(library) version '\(candidate.libraryVersion)' cannot be compared with the required \(minimum)"
            }
            if let required = LibraryVersion(minimum), found < required {
                return CapabilityReport.Finding(
                    severity: .blocking, nodes: [], reason: .libraryTooOld(required: minimum, found: "\(library) \(candidate.libraryVersion)")
                ).description
            }
        }
        // Unknown device memory passes: the requirement cannot be checked, and refusing would
        // leave machines whose library does not report memory with nothing.
        if let megabytes = variant.requires?.minMemoryMB, let available = candidate.device.memoryBytes,
            available < Int64(megabytes) * 1_048_576
        {
            return CapabilityReport.Finding(
                severity: .blocking, nodes: [], reason: .notEnoughMemory(requiredBytes: Int64(megabytes) * 1_048_576, availableBytes: available)
            ).description
        }
        return nil
    }
}
