public import Foundation
public import TensorCore

/// Times (library, device) pairs on this machine, so that ``Selection`` follows what is fastest
/// here rather than a fixed order: which library wins differs between CPUs (OpenVINO was 1.65×
/// ONNX Runtime on one AVX-512 host and 1.2× on an AVX2 host).
///
/// Pairs are timed one after another, never side by side, so that none competes with another
/// for the cores. Sessions are opened with the job's own options, so what they compile and cache
/// (OpenVINO's blob, ONNX Runtime's optimized model) is what the job then loads.
public struct Tuner: Sendable {
    /// One pair to time.
    public struct Pair: Sendable {
        public var device: Device
        public var backend: any Backend
        /// The pair's ``PairFingerprint``, stored with its measurement.
        public var fingerprint: String

        public init(device: Device, backend: any Backend) {
            self.device = device
            self.backend = backend
            self.fingerprint = PairFingerprint.of(backend, device: device)
        }
    }

    /// Timed runs per pair after one warm-up run (a session's first run is slower: allocation,
    /// per-shape compilation, caches).
    public var timedRuns: Int

    public init(timedRuns: Int = 2) {
        self.timedRuns = max(1, timedRuns)
    }

    /// Loads `model` on each pair with `options`, runs `feeds` once to warm up and
    /// ``timedRuns`` times more, and keeps the fastest run. A pair that fails to load or run is
    /// recorded with the reason; it never stops the others.
    /// - Parameter measured: called after each pair, for progress.
    public func measure(
        model: URL, pairs: [Pair], options: SessionOptions, feeds: [String: Tensor],
        measured: (SpeedProfile.Measurement) -> Void = { _ in }
    ) async -> [SpeedProfile.Measurement] {
        let shape = Self.shapeText(feeds)
        var results: [SpeedProfile.Measurement] = []
        for pair in pairs {
            let result: SpeedProfile.Measurement
            do {
                let seconds = try await time(model: model, pair: pair, options: options, feeds: feeds)
                result = .init(device: pair.device.id, fingerprint: pair.fingerprint, seconds: seconds, timedShape: shape)
            } catch {
                result = .init(
                    device: pair.device.id, fingerprint: pair.fingerprint, seconds: nil, failure: "\(error)", timedShape: shape)
            }
            measured(result)
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
    ///   - log: one line before measuring and one with the results.
    public func currentProfile(
        _ conditions: SpeedProfile.Conditions, label: String, pairs: [Pair], model: URL, options: SessionOptions,
        directory: URL, measureMissing: Bool, feeds: ([Pair]) async -> [String: Tensor], log: (String) -> Void
    ) async -> SpeedProfile {
        let fingerprints = Dictionary(pairs.map { ($0.device.id, $0.fingerprint) }, uniquingKeysWith: { first, _ in first })
        var profile = SpeedProfile.load(conditions, from: directory) ?? SpeedProfile(conditions: conditions)
        let missing = Set(profile.unmeasured(fingerprints: fingerprints))
        guard pairs.count > 1, !missing.isEmpty, measureMissing else { return profile.current(fingerprints: fingerprints) }

        let toMeasure = pairs.filter { missing.contains($0.device.id) }
        log("measuring \(label) on \(toMeasure.count) library/device pairs to pick the fastest "
            + "(once per model and machine; --no-tune skips)…")
        let clock = ContinuousClock()
        let start = clock.now
        let inputs = await feeds(toMeasure)
        let results = await measure(model: model, pairs: toMeasure, options: options, feeds: inputs)
        profile.record(results)
        do {
            try profile.save(in: directory)
        } catch {
            log("could not keep the measurements in \(directory.path): \(error)")
        }
        let times = results.sorted { ($0.seconds ?? .infinity) < ($1.seconds ?? .infinity) }.map { result in
            result.seconds.map { String(format: "%@ %.1f ms", result.device.rawValue, $0 * 1000) } ?? "\(result.device) failed"
        }
        log(String(format: "measured in %.1f s at %@: ", Self.seconds(clock.now - start), Self.shapeText(inputs))
            + times.joined(separator: ", "))
        return profile.current(fingerprints: fingerprints)
    }

    /// The fastest of ``timedRuns`` runs after a warm-up, in seconds.
    public func time(model: URL, pair: Pair, options: SessionOptions, feeds: [String: Tensor]) async throws -> Double {
        let session = try await pair.backend.makeSession(model: model, device: pair.device, options: options)
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
