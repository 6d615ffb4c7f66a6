import Foundation
import InferenceRuntime
import ModelManifest
import ONNXModel

/// One model of an upscale chain, resolved and fetched, with the pairs that can run it.
struct UpscaleStage: Sendable {
    var name: String
    var manifest: ModelManifest
    var file: URL
    /// Usable (library, device) pairs, best first, by the selection policy.
    var ranked: [Device]
    /// The precision each ranked device's sessions are opened with (fast mode chooses per pair).
    var precisions: [DeviceID: SessionOptions.Precision] = [:]
    var bytesPerInputPixel: Int
    var explanation: [String]
    /// What selection ranked, kept to rank again once pairs are measured.
    var devices: [Device]
    var reports: [DeviceID: CapabilityReport]
    /// How the variant was chosen, the first lines of ``explanation``.
    var variantExplanation: [String]
    /// The outputs of the model's global pooling nodes (see ``GlobalPooling``); empty for most models.
    var pooledValues: [String] = []
    /// The manifest's other variants already on this machine (an int8 or fp16 file, say): fast
    /// mode's further candidates.
    var alternatives: [(name: String, file: URL)] = []
    /// The alternative each ranked device runs, by name, where fast mode chose one.
    var variants: [DeviceID: String] = [:]

    /// Resolves `name`, picks the variant before anything is fetched, fetches it when the store
    /// does not have it yet, and ranks the pairs that pass the capability check.
    static func prepare(
        _ name: String, store: ModelStore, backends: [any Backend], options: UpscaleOptions, log: @Sendable (String) -> Void
    ) async throws -> UpscaleStage {
        let resolved = try store.resolve(name)
        let choice = VariantChoice(manifest: resolved.manifest, backends: backends, library: options.library, device: options.device)
        guard let pick = choice.pick else { throw UpscaleError.noUsableDevice(model: name, reasons: choice.explanation) }
        var file = resolved.localFile(for: pick.variant)
        if file == nil {
            let id: String
            switch resolved.origin {
            case .installed(let model): id = model.id
            case .manifestFile(let url): id = try await store.install(manifestAt: url).id
            case .modelFile(let url): throw UpscaleError.modelNotAvailable(model: url.path, reason: "the file went missing")
            }
            log("fetching \(pick.variant.name) of \(id) from \(pick.variant.url)")
            file = try await store.fetch(id, variant: pick.variant.name)
        }
        guard let file else { throw UpscaleError.modelNotAvailable(model: name, reason: "no local file") }
        let model = try Model(contentsOf: file)
        let summary = ModelSummary(model: model, schemas: try OperatorSchemas.standard())
        var reports: [DeviceID: CapabilityReport] = [:]
        for backend in backends {
            for device in backend.devices() { reports[device.id] = backend.capability(of: summary, on: device) }
        }
        let perPixel = (try? TileSizing.bytesPerInputPixel(of: model)) ?? 64 * 4 * 4
        var stage = UpscaleStage(
            name: name, manifest: resolved.manifest, file: file, ranked: [], precisions: [:], bytesPerInputPixel: perPixel,
            explanation: [],
            devices: backends.flatMap { $0.devices() }, reports: reports, variantExplanation: choice.explanation,
            pooledValues: GlobalPooling(model: model)?.values.map(\.name) ?? [],
            alternatives: resolved.manifest.variants.filter { $0.name != pick.variant.name }.compactMap { variant in
                resolved.localFile(for: variant).map { (variant.name, $0) }
            })
        let selection = stage.rank(profile: nil, options: options)
        guard !selection.ranked.isEmpty else {
            throw UpscaleError.noUsableDevice(model: name, reasons: selection.skipped.map { "\($0.device.id): \($0.reason)" })
        }
        return stage
    }

    /// Ranks the pairs by the selection policy, following `profile`'s measurements where it
    /// has some, and returns the selection.
    @discardableResult
    mutating func rank(profile: SpeedProfile?, options: UpscaleOptions) -> Selection {
        let fast = options.session.precision == .fast
        let selection = Selection(
            devices: devices, reports: reports, profile: profile, minimumPSNR: fast ? options.minimumPSNR : nil,
            library: options.library, device: options.device)
        ranked = []
        precisions = [:]
        variants = [:]
        explanation = variantExplanation + selection.explanation
        // Fast mode holds a precision to the floor only once measured; until then, float32.
        let unproven: SessionOptions.Precision = fast && options.minimumPSNR != nil ? .accurate : options.session.precision
        for choice in selection.ranked where precisions[choice.device.id] == nil {
            ranked.append(choice.device)
            precisions[choice.device.id] = choice.precision ?? unproven
            variants[choice.device.id] = choice.variant
            if choice.precision == nil, fast, unproven == .accurate {
                explanation.append("fast mode: \(choice.device.id) runs float32 until a faster precision is measured above the floor")
            }
        }
        return selection
    }

    /// The pairs every stage can use, best first by the first stage's ranking, one per physical
    /// device (two libraries on one CPU would only compete for its cores); just the best one
    /// unless `allDevices`.
    static func commonDevices(_ stages: [UpscaleStage], allDevices: Bool) throws -> [Device] {
        guard let first = stages.first else { return [] }
        var seen = Set<String>()
        let common = first.ranked.filter { device in
            stages.dropFirst().allSatisfy { stage in stage.ranked.contains { $0.id == device.id } }
                && seen.insert(device.physicalKey).inserted
        }
        guard !common.isEmpty else {
            throw UpscaleError.unsupportedModel(
                model: stages.map(\.name).joined(separator: " → "), reason: "no single library and device runs every model of the chain")
        }
        return allDevices ? common : [common[0]]
    }

    /// What runs on `device`: its precision, and the variant where fast mode chose another file.
    func label(on device: Device) -> String {
        (precisions[device.id]?.rawValue ?? "") + (variants[device.id].map { " \($0)" } ?? "")
    }

    /// A session of this stage's model on `device`, as a tile processor: of the model that takes
    /// its pooled values as inputs when `pooling` (``GlobalPooling``, derived files kept in `directory`).
    func processor(
        on device: Device, backends: [any Backend], session options: SessionOptions, pooling directory: URL? = nil
    ) async throws -> SessionProcessor {
        let session = try await session(on: device, backends: backends, options: options, role: directory.map { (.fed, $0) })
        return try SessionProcessor(
            session: session, inputName: manifest.input.name, outputName: manifest.output.name, scale: manifest.scale,
            margin: manifest.tiling.overlap, border: manifest.tiling.border ?? 0)
    }

    /// The session that finds the pooled values of a whole image on `device` (see ``PoolingProbe``).
    func poolingProbe(
        on device: Device, backends: [any Backend], session options: SessionOptions, directory: URL
    ) async throws -> PoolingProbe {
        let session = try await session(on: device, backends: backends, options: options, role: (.probe, directory))
        return PoolingProbe(
            session: session, inputName: manifest.input.name, valueNames: pooledValues, border: manifest.tiling.border ?? 0)
    }

    /// A session on `device` of the variant chosen for it, or of one of the two models
    /// ``GlobalPooling`` derives from that variant.
    private func session(
        on device: Device, backends: [any Backend], options: SessionOptions, role: (GlobalPooling.Role, URL)?
    ) async throws -> any Session {
        guard let backend = backends.first(where: { $0.id == device.backend }) else {
            throw UpscaleError.noUsableDevice(model: name, reasons: ["\(device.backend) is not loaded"])
        }
        var options = options
        options.precision = precisions[device.id] ?? options.precision
        let chosen = variants[device.id].flatMap { name in alternatives.first { $0.name == name }?.file } ?? file
        let model = try role.map { role, directory in try GlobalPooling.file(role, of: chosen, in: directory) } ?? chosen
        return try await backend.makeSession(model: model, device: device, options: options)
    }
}
