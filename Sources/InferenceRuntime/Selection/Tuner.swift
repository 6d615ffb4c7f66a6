public import Foundation
public import TensorCore

/// Times (library, device) pairs on this machine, so that ``Selection`` follows what is fastest
/// here rather than a fixed order: which library wins differs between CPUs (OpenVINO was 1.65×
/// ONNX Runtime on one AVX-512 host and 1.2× on an AVX2 host).
///
/// Pairs are timed one after another, never side by side, so that none competes with another
/// for the cores. Sessions are opened with the job's own options, so what they compile and cache
/// (OpenVINO's blob, ONNX Runtime's optimized model) is what the job then loads. In fast mode a
/// pair is a candidate once per precision, and each candidate's output is compared with the
/// float32 reference (a ``QualityCheck``), so a fast candidate can be held to a quality floor.
public struct Tuner: Sendable {
    /// One candidate to time: a pair, at a precision, running the model or another file of it.
    public struct Pair: Sendable {
        public var device: Device
        public var backend: any Backend
        /// The precision to open its session with; `nil` for the options' own.
        public var precision: SessionOptions.Precision?
        /// Another file of the model (a variant, by name) to run instead of the measured model.
        public var variant: (name: String, file: URL)?
        /// The pair's ``PairFingerprint`` (with the variant file's digest), stored with its
        /// measurement.
        public var fingerprint: String

        /// - Parameter variant: another file of the model and its SHA-256, which becomes part
        ///   of the fingerprint, so a changed variant file is measured again.
        public init(
            device: Device, backend: any Backend, precision: SessionOptions.Precision? = nil,
            variant: (name: String, file: URL, digest: String)? = nil
        ) {
            self.device = device
            self.backend = backend
            self.precision = precision
            self.variant = variant.map { ($0.name, $0.file) }
            self.fingerprint = PairFingerprint.of(backend, device: device) + (variant.map { " " + $0.digest } ?? "")
        }

        /// `openvino:CPU`, `openvino:CPU fast`, `openvino:CPU accurate any-int8`.
        public var label: String {
            SpeedProfile.Measurement.label(device: device.id, precision: precision, variant: variant?.name)
        }

        func sessionOptions(_ options: SessionOptions) -> SessionOptions {
            var options = options
            if let precision { options.precision = precision }
            return options
        }

        /// Whether `entry` is this candidate's measurement, taken with its build as it is now.
        func isMeasured(by entry: SpeedProfile.Measurement) -> Bool {
            entry.device == device.id && entry.precision == precision && entry.variant == variant?.name
                && entry.fingerprint == fingerprint
        }

        /// Whether the candidate runs the model's own file in float32 under `options`: what fast
        /// mode's quality is judged against.
        func isReference(under options: SessionOptions) -> Bool {
            variant == nil && sessionOptions(options).precision == .accurate
        }
    }

    /// How a candidate's output is judged against float32: inputs (real pictures) and a
    /// comparison giving PSNR in dB.
    public struct QualityCheck: Sendable {
        public var inputs: [[String: Tensor]]
        /// The output compared.
        public var output: String
        /// PSNR in dB of `candidate` against `reference` (`infinity` when identical).
        public var psnr: @Sendable (_ reference: Tensor, _ candidate: Tensor) -> Double

        public init(
            inputs: [[String: Tensor]], output: String, psnr: @escaping @Sendable (_ reference: Tensor, _ candidate: Tensor) -> Double
        ) {
            self.inputs = inputs
            self.output = output
            self.psnr = psnr
        }

        /// `session`'s output for each of ``inputs``.
        func outputs(of session: any Session) throws -> [Tensor] {
            try inputs.map { inputs in
                guard let result = try session.run(inputs)[output] else {
                    throw BackendError(.run, backend: session.device.backend, call: "run", message: "no output '\(output)'")
                }
                return result
            }
        }
    }

    /// Timed runs per pair after one warm-up run (a session's first run is slower: allocation,
    /// per-shape compilation, caches).
    public var timedRuns: Int

    public init(timedRuns: Int = 2) {
        self.timedRuns = max(1, timedRuns)
    }

    /// Loads `model` on each candidate with `options`, runs `feeds` once to warm up and
    /// ``timedRuns`` times more, and keeps the fastest run. With `quality`, the first
    /// candidate running the model at float32 gives the reference outputs, and every candidate
    /// faster than all such float32 ones is judged against them (a slower one could never be
    /// chosen, so its quality is not worth the runs). A candidate that fails to load or run is
    /// recorded with the reason; it never stops the others.
    public func measure(
        model: URL, pairs: [Pair], options: SessionOptions, feeds: [String: Tensor], quality: QualityCheck? = nil
    ) async -> [SpeedProfile.Measurement] {
        let shape = Self.shapeText(feeds)
        var reference: [Tensor]?
        var fastestReference = Double.infinity
        var results: [SpeedProfile.Measurement] = []
        // The model's own file at float32 goes first, so the reference exists before it is needed.
        let isReference = { (pair: Pair) in pair.isReference(under: options) }
        for pair in pairs.filter(isReference) + pairs.filter({ !isReference($0) }) {
            var result = SpeedProfile.Measurement(
                device: pair.device.id, precision: pair.precision, variant: pair.variant?.name, fingerprint: pair.fingerprint,
                seconds: nil, timedShape: shape)
            do {
                let session = try await pair.backend.makeSession(
                    model: pair.variant?.file ?? model, device: pair.device, options: pair.sessionOptions(options))
                let seconds = try time(session, feeds: feeds)
                result.seconds = seconds
                if let quality {
                    if isReference(pair) {
                        if reference == nil { reference = try quality.outputs(of: session) }
                        fastestReference = min(fastestReference, seconds)
                    } else if let reference, seconds < fastestReference {
                        result.psnr = zip(reference, try quality.outputs(of: session)).map { quality.psnr($0, $1) }.min()
                    }
                }
            } catch {
                result.seconds = nil
                result.failure = "\(error)"
            }
            results.append(result)
        }
        return results
    }

    /// The measurements of `pairs` under `conditions` that hold now: those kept in `directory`
    /// whose pair is unchanged (same ``PairFingerprint``), and, when `measureMissing`, the other
    /// pairs measured now and kept there for the next run. Nothing is measured when fewer than
    /// two pairs could be chosen from.
    /// - Parameters:
    ///   - label: the model's name in the progress lines.
    ///   - feeds: the inputs to time, given the pairs about to be measured (asked only then).
    ///   - quality: how fast candidates are judged; when some are measured, the first float32
    ///     pair is measured with them to give the reference.
    ///   - confirmationFeeds: inputs on a larger tile, given the fastest small-tile time, for
    ///     timing the contenders again (``SpeedProfile/contenders(ratio:limit:)``); `nil` when
    ///     the small tile is already about the real one.
    ///   - log: one line before measuring and one with the results.
    public func currentProfile(
        _ conditions: SpeedProfile.Conditions, label: String, pairs: [Pair], model: URL, options: SessionOptions,
        directory: URL, measureMissing: Bool, quality: QualityCheck? = nil, feeds: ([Pair]) async -> [String: Tensor],
        confirmationFeeds: (_ fastestSeconds: Double) async -> [String: Tensor]? = { _ in nil }, log: (String) -> Void
    ) async -> SpeedProfile {
        let fingerprints = Set(pairs.map(\.fingerprint))
        var profile = SpeedProfile.load(conditions, from: directory) ?? SpeedProfile(conditions: conditions)
        var toMeasure = pairs.filter {
            !profile.isMeasured($0.device.id, precision: $0.precision, variant: $0.variant?.name, fingerprint: $0.fingerprint)
        }
        guard pairs.count > 1, !toMeasure.isEmpty, measureMissing else { return profile.current(fingerprints: fingerprints) }

        let isReference = { (pair: Pair) in pair.isReference(under: options) }
        if quality != nil, let first = pairs.first(where: isReference), !toMeasure.contains(where: isReference) {
            toMeasure.insert(first, at: 0)
        }
        log("measuring \(label) on \(toMeasure.count) candidate\(toMeasure.count == 1 ? "" : "s") (library, device"
            + (pairs.contains { $0.precision != nil } ? ", precision" : "") + (pairs.contains { $0.variant != nil } ? ", variant" : "")
            + ") to pick the fastest "
            + "(once per model and machine; --no-tune skips)…")
        let clock = ContinuousClock()
        let start = clock.now
        let inputs = await feeds(toMeasure)
        let results = await measure(model: model, pairs: toMeasure, options: options, feeds: inputs, quality: quality)
        profile.record(results)
        let confirmed = await confirmContenders(in: &profile, pairs: pairs, model: model, options: options, feeds: confirmationFeeds)
        do {
            try profile.save(in: directory)
        } catch {
            log("could not keep the measurements in \(directory.path): \(error)")
        }
        let times = results.sorted { ($0.seconds ?? .infinity) < ($1.seconds ?? .infinity) }.map { result in
            guard let seconds = result.seconds else { return "\(result.label) failed" }
            return String(format: "%@ %.1f ms", result.label, seconds * 1000) + (result.psnr.map { Self.decibels($0) } ?? "")
        }
        log(String(format: "measured in %.1f s at %@: ", Self.seconds(clock.now - start), Self.shapeText(inputs))
            + times.joined(separator: ", ") + (confirmed.map { "; again at \($0)" } ?? ""))
        return profile.current(fingerprints: fingerprints)
    }

    /// Candidates within this factor of the fastest on the small tile are timed again on a
    /// larger one; a small tile fits in cache, so it can flatter one library by about that much.
    public static let contenderRatio = 2.0
    /// At most this many contenders are timed again, to bound the cost.
    public static let contenderLimit = 3

    /// Times the current contenders of `profile` again on the inputs `feeds` gives (none when it
    /// gives none, or fewer than two are close) and records the times as their confirmations.
    /// - Returns: the progress text (`1x3x256x256: openvino:CPU 351.0 ms, …`), `nil` when none ran.
    private func confirmContenders(
        in profile: inout SpeedProfile, pairs: [Pair], model: URL, options: SessionOptions,
        feeds: (_ fastestSeconds: Double) async -> [String: Tensor]?
    ) async -> String? {
        let current = profile.current(fingerprints: Set(pairs.map(\.fingerprint)))
        let contenders = current.contenders(ratio: Self.contenderRatio, limit: Self.contenderLimit).compactMap { entry in
            pairs.first { $0.isMeasured(by: entry) }.map { (entry: entry, pair: $0) }
        }
        guard contenders.count > 1, let fastest = contenders[0].entry.seconds, let inputs = await feeds(fastest) else {
            profile.confirm([])
            return nil
        }
        let shape = Self.shapeText(inputs)
        // As many timed runs as on the small tile: one run misranked OpenVINO 2.5× slow on a busy host.
        let results = await measure(model: model, pairs: contenders.map(\.pair), options: options, feeds: inputs)
        let times = contenders.compactMap { contender in
            results.first { $0.candidateKey == contender.entry.candidateKey }.map { result in
                (candidate: contender.entry, confirmation: SpeedProfile.Measurement.Confirmation(
                    seconds: result.seconds, shape: shape, failure: result.failure))
            }
        }
        profile.confirm(times)
        return shape + ": " + times.sorted { ($0.confirmation.seconds ?? .infinity) < ($1.confirmation.seconds ?? .infinity) }
            .map { time in
                time.confirmation.seconds.map { String(format: "%@ %.1f ms", time.candidate.label, $0 * 1000) }
                    ?? "\(time.candidate.label) failed"
            }.joined(separator: ", ")
    }

    /// The fastest of ``timedRuns`` runs of `session` after a warm-up, in seconds.
    public func time(_ session: any Session, feeds: [String: Tensor]) throws -> Double {
        _ = try session.run(feeds)
        let clock = ContinuousClock()
        var fastest = Double.infinity
        for _ in 0..<timedRuns {
            let start = clock.now
            _ = try session.run(feeds)
            fastest = min(fastest, Self.seconds(clock.now - start))
        }
        return fastest
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }

    /// ` (54.2 dB)`, or ` (identical)`.
    public static func decibels(_ psnr: Double) -> String {
        psnr.isFinite ? String(format: " (%.1f dB)", psnr) : " (identical)"
    }

    /// `a=1x3x64x64,b=1x8`: the feeds' shapes, by input name.
    public static func shapeText(_ feeds: [String: Tensor]) -> String {
        shapeText(feeds.mapValues(\.shape))
    }

    /// `a=1x3x64x64,b=1x8`: `shapes`, by input name.
    public static func shapeText(_ shapes: [String: [Int]]) -> String {
        shapes.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.map(String.init).joined(separator: "x"))" }
            .joined(separator: ",")
    }
}
