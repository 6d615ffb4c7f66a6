public import InferenceRuntime
public import ModelManifest
import ONNXModel
import TensorCore

extension VariantCandidate {
    /// Every device of `backends` in the selection policy's order (most memory first, then the
    /// most specific library), limited like `--library` and `--device`.
    public static func ranked(backends: [any Backend], library: String? = nil, device: String? = nil) -> [VariantCandidate] {
        let devices = backends.flatMap { $0.devices() }
        // Capability depends on the variant, so it is judged per variant later; here every
        // pair counts as able, and only the policy's order and the user's limits apply.
        let reports = Dictionary(
            devices.map { ($0.id, CapabilityReport(backend: $0.backend, device: $0.id, findings: [])) },
            uniquingKeysWith: { first, _ in first })
        let selection = Selection(devices: devices, reports: reports, library: library, device: device)
        return selection.ranked.compactMap { choice in
            backends.first { $0.id == choice.device.backend }.map {
                VariantCandidate(device: choice.device, libraryVersion: $0.version)
            }
        }
    }
}

extension VariantChoice {
    /// Chooses among the devices of `backends`, refusing a variant on a pair whose library
    /// cannot run the operators its manifest summary lists (variants without a summary are
    /// checked once fetched).
    public init(manifest: ModelManifest, backends: [any Backend], library: String? = nil, device: String? = nil) {
        let candidates = VariantCandidate.ranked(backends: backends, library: library, device: device)
        self.init(manifest: manifest, candidates: candidates) { variant, candidate in
            guard let summary = variant.summary, let backend = backends.first(where: { $0.id == candidate.device.backend }) else {
                return nil
            }
            let model = ModelSummary(manifestSummary: summary, of: manifest, variant: variant)
            let report = backend.capability(of: model, on: candidate.device)
            guard report.verdict == .unsupported else { return nil }
            return report.findings.filter { $0.severity == .blocking }.map(\.description).joined(separator: "; ")
        }
    }
}

extension ModelSummary {
    /// What capability checks need, from a manifest instead of the file: one node per operator
    /// the summary lists (labelled by the operator), the manifest's endpoints as `[N, 3, H, W]`
    /// and `[N, 3, scale·H, scale·W]` tensors, and the variant's size standing in for the weights' size.
    public init(manifestSummary summary: ModelManifest.Summary, of manifest: ModelManifest, variant: ModelManifest.Variant) {
        let nodes = summary.operators.map { entry in
            NodeSummary(
                label: entry.description,
                key: OperatorKey(domain: OpsetImport.canonicalDomain(entry.domain), type: entry.type, sinceVersion: entry.sinceVersion),
                inputTypes: [])
        }
        func value(_ endpoint: ModelManifest.Endpoint, scale: Int) -> ValueInfo {
            let type: DataType = endpoint.type == .float16 ? .float16 : .float32
            let side = { (name: String) in (try? Dim.symbol(name).multiplied(by: scale)) ?? .unknown }
            return ValueInfo(name: endpoint.name, type: .tensor(type, [.symbol("N"), .value(3), side("H"), side("W")]))
        }
        self.init(
            opsets: Dictionary(
                summary.opsets.map { (OpsetImport.canonicalDomain($0.key), $0.value) }, uniquingKeysWith: { first, _ in first }),
            nodes: nodes, inputs: [value(manifest.input, scale: 1)], outputs: [value(manifest.output, scale: manifest.scale)], parameterBytes: variant.bytes,
            irVersion: Int64(summary.irVersion))
    }
}
