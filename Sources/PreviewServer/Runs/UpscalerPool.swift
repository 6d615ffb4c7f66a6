import Foundation
import InferenceRuntime
import TilePipeline

/// Loaded models, kept between runs, and the turn each run waits for.
///
/// Loading a model (and measuring it the first time) takes seconds; a preview takes a tile, so
/// the sessions of the last few settings stay open. Runs take turns: the workers' sessions run
/// one image at a time, and a preview after a full-size run should not compete with it.
actor UpscalerPool {
    /// Settings whose sessions stay loaded; the oldest are closed first.
    static let keptLoads = 3

    let store: ModelStore
    let backends: [any Backend]
    /// Models given with `tessera preview --model` (ids, manifests or .onnx files).
    let extraModels: [String]
    let maxPixels: Int
    private var loaded: [(key: RunSettings.LoadKey, upscaler: Upscaler)] = []
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(store: ModelStore, backends: [any Backend], extraModels: [String], maxPixels: Int) {
        self.store = store
        self.backends = backends
        self.extraModels = extraModels
        self.maxPixels = maxPixels
    }

    /// The models the page may name: those given on the command line, then the installed ones.
    func modelChoices() -> [String] {
        let installed = ((try? store.installed()) ?? []).map(\.id)
        return extraModels + installed.filter { !extraModels.contains($0) }
    }

    /// Runs `body` with the upscaler for `settings`, once every earlier run has finished.
    /// - Returns: what `body` returns, whether the sessions were loaded for it, and, if so, the
    ///   loader's notices (a device skipped, a measurement).
    func withUpscaler<T: Sendable>(
        _ settings: RunSettings, region: PixelRect?, _ body: @Sendable (Upscaler) async throws -> T
    ) async throws -> (value: T, loadedNow: Bool, notices: [String]) {
        let choices = modelChoices()
        guard !settings.models.isEmpty else { throw PreviewError.badRequest("choose a model") }
        for model in settings.models where !choices.contains(model) {
            throw PreviewError.unknownModel(model, available: choices)
        }
        await takeTurn()
        defer { passTurn() }
        try Task.checkCancellation()
        let (upscaler, loadedNow, notices) = try await upscaler(for: settings)
        let value = try await body(upscaler.with(region: region, stitch: settings.blend ? .blend : .crop))
        return (value, loadedNow, notices)
    }

    private func upscaler(for settings: RunSettings) async throws -> (Upscaler, Bool, [String]) {
        let key = settings.loadKey
        if let index = loaded.firstIndex(where: { $0.key == key }) {
            let entry = loaded.remove(at: index)
            loaded.append(entry)
            return (entry.upscaler, false, [])
        }
        let notices = NoticeList()
        let options = settings.upscaleOptions(cacheDirectory: store.root, maxPixels: maxPixels)
        let upscaler: Upscaler
        do {
            upscaler = try await Upscaler.load(
                models: settings.models, store: store, backends: backends, options: options, log: { notices.append($0) }
            )
        } catch {
            throw PreviewError.runFailed(
                reason: "\(settings.models.joined(separator: " → ")) could not be loaded: \(error)")
        }
        loaded.append((key, upscaler))
        if loaded.count > Self.keptLoads { loaded.removeFirst() }
        return (upscaler, true, notices.lines)
    }

    private func takeTurn() async {
        guard busy else {
            busy = true
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    /// Hands the turn to the next waiting run, or frees it.
    private func passTurn() {
        if waiting.isEmpty {
            busy = false
        } else {
            waiting.removeFirst().resume()
        }
    }
}
