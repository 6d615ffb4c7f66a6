import Foundation
import InferenceRuntime
import TensorCore

/// Measured selection for an upscale: which library runs a model fastest is measured on the
/// user's machine the first time the model runs there, not assumed.
extension UpscaleStage {
    /// Seconds one timed run should take: long enough that per-call overhead does not decide
    /// the ranking, short enough that measuring every pair stays a small one-time cost.
    static let timedRunSeconds = 0.1
    /// The contenders' second round: a tile of at least ``confirmationMinimumSide`` pixels a side,
    /// whose 64-channel feature maps (9 MB at 192²) outgrow the caches as the real tile's do;
    /// larger where a run takes under ``confirmationRunSeconds``, never a run estimated over
    /// ``confirmationMaximumSeconds``. A one-time cost of a few seconds against a wrong choice
    /// that would slow every later job.
    static let confirmationMinimumSide = 192
    static let confirmationRunSeconds = 0.5
    static let confirmationMaximumSeconds = 1.5

    /// Ranks this stage's pairs by their speed on this machine for `inputSide`-pixel square
    /// tiles (margins included), run with `session`'s threads and precision.
    ///
    /// The measurements come from the profile kept in `directory` where they are current;
    /// pairs without one are measured now (unless `options.tune` is off) on a tile small enough
    /// to keep that quick (``Tuner/currentProfile(_:label:pairs:model:options:directory:measureMissing:feeds:log:)``).
    mutating func rankByMeasuredSpeed(
        inputSide: Int, session: SessionOptions, backends: [any Backend], options: UpscaleOptions, directory: URL,
        log: @Sendable (String) -> Void
    ) async {
        let fast = session.precision == .fast
        // In fast mode each pair is a candidate at every precision its library offers on it, and
        // with each other variant of the model already here.
        let variants = fast ? alternatives.compactMap { alternative in
            (try? FileDigest.sha256(of: alternative.file, rememberedIn: directory)).map { (name: alternative.name, file: alternative.file, digest: $0) }
        } : []
        let pairs = ranked.flatMap { device -> [Tuner.Pair] in
            guard let backend = backends.first(where: { $0.id == device.backend }) else { return [] }
            guard fast else { return [Tuner.Pair(device: device, backend: backend)] }
            return backend.precisions(on: device).map { Tuner.Pair(device: device, backend: backend, precision: $0) }
                + variants.map { Tuner.Pair(device: device, backend: backend, precision: .accurate, variant: $0) }
        }
        guard pairs.count > 1, let digest = try? FileDigest.sha256(of: file, rememberedIn: directory) else { return }
        let conditions = SpeedProfile.Conditions(
            modelDigest: digest, inputShape: "\(manifest.input.name)=\(options.batch)x3x\(inputSide)x\(inputSide)",
            threads: session.threads, precision: session.precision)
        var timed = inputSide
        let profile = await Tuner().currentProfile(
            conditions, label: name, pairs: pairs, model: file, options: session, directory: directory,
            measureMissing: options.tune, quality: fast ? qualityCheck() : nil,
            feeds: { toMeasure in
                timed = await timedSide(upTo: inputSide, pairs: toMeasure, session: session, batch: options.batch)
                return feeds(side: timed, batch: options.batch)
            },
            confirmationFeeds: { fastest in
                confirmationSide(after: timed, seconds: fastest, upTo: inputSide).map { feeds(side: $0, batch: options.batch) }
            }, log: log)
        rank(profile: profile, options: options)
    }

    /// Fast mode's judge: the photos that ship with Tessera (``QualityPhotos``) through the
    /// model, and PSNR of the pictures a user would get (outputs clipped and rounded to 8 bits) against
    /// the float32 model's.
    private func qualityCheck() -> Tuner.QualityCheck? {
        guard let photos = try? QualityPhotos.load(), !photos.isEmpty else { return nil }
        let inputs = photos.compactMap { image -> [String: Tensor]? in
            let planes = ImageTileSource(image: image).planes(x: 0, y: 0, width: image.width, height: image.height)
            return (try? Tensor(shape: [1, 3, image.height, image.width], scalars: planes)).map { [manifest.input.name: $0] }
        }
        return Tuner.QualityCheck(inputs: inputs, output: manifest.output.name) { reference, candidate in
            QualityPhotos.displayedPSNR(reference, candidate)
        }
    }

    /// The tile side to time at: a first run on a small tile estimates the time per pixel, and
    /// the side follows from ``timedRunSeconds``, between the small tile and `inputSide`.
    private func timedSide(upTo inputSide: Int, pairs: [Tuner.Pair], session: SessionOptions, batch: Int) async -> Int {
        let k = max(1, manifest.tiling.multipleOf)
        let floor = max(TilePlan.roundUp(max(64, manifest.tiling.minTile), to: k), 2 * manifest.tiling.overlap + k)
        let probe = min(inputSide, floor)
        guard probe < inputSide else { return inputSide }
        for pair in pairs {
            guard let loaded = try? await pair.backend.makeSession(model: file, device: pair.device, options: session),
                let seconds = try? Tuner(timedRuns: 1).time(loaded, feeds: feeds(side: probe, batch: batch)), seconds > 0
            else { continue }
            let perPixel = seconds / Double(probe * probe)
            let side = Int((Self.timedRunSeconds / perPixel).squareRoot())
            return min(inputSide, max(probe, side / k * k))
        }
        return probe
    }

    /// The side for the contenders' second round (see ``confirmationMinimumSide``), estimated
    /// from the first round's time per pixel, up to `inputSide`; `nil` when that is not at least
    /// half as large again as the first round's side (which then ranked on about the real tile).
    private func confirmationSide(after side: Int, seconds: Double, upTo inputSide: Int) -> Int? {
        let k = max(1, manifest.tiling.multipleOf)
        let perPixel = seconds / Double(side * side)
        guard perPixel > 0 else { return nil }
        let sideTaking = { (seconds: Double) in Int((seconds / perPixel).squareRoot()) }
        let wanted = min(max(Self.confirmationMinimumSide, sideTaking(Self.confirmationRunSeconds)), sideTaking(Self.confirmationMaximumSeconds))
        let larger = min(inputSide, wanted) / k * k
        return 2 * larger >= 3 * side ? larger : nil
    }

    /// A tile of deterministic noise spanning the model's input range: speed does not depend
    /// on the picture, but a constant input could take shortcuts (zero-skipping, denormals).
    private func feeds(side: Int, batch: Int) -> [String: Tensor] {
        let range = manifest.input.range
        let count = batch * 3 * side * side
        var state: UInt32 = 0x9E37_79B9
        let values = (0..<count).map { _ -> Float in
            state = state &* 1_664_525 &+ 1_013_904_223
            return Float(range.lower + (range.upper - range.lower) * Double(state >> 8) / Double(1 << 24))
        }
        guard let tensor = try? Tensor(shape: [batch, 3, side, side], scalars: values) else { return [:] }
        return [manifest.input.name: tensor]
    }
}
