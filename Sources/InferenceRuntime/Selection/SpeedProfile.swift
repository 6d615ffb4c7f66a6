public import Foundation

/// Measured run times of one model on this machine's (library, device) pairs, under fixed
/// conditions (input shape, threads, precision), written by the ``Tuner`` the first time a
/// model runs (or by `tessera bench --autotune`) and followed by ``Selection``.
///
/// Each measurement carries the pair's ``PairFingerprint`` from when it was taken: the library
/// build, the device and the host. A measurement whose fingerprint no longer matches (a library
/// upgraded, another CPU, a new driver) is stale and is measured again; the model's bytes are
/// part of ``Conditions`` and the profile's file name, so a changed model never finds one.
public struct SpeedProfile: Sendable, Codable, Hashable {
    /// What the times depend on besides the pair.
    public struct Conditions: Sendable, Codable, Hashable, CustomStringConvertible {
        /// SHA-256 of the model file.
        public var modelDigest: String
        /// The shape of each input the job feeds, e.g. `input=1x3x544x544` (an upscale's tile
        /// with its margins): the shape the ranking is for, not necessarily the one timed.
        public var inputShape: String
        /// Intra-op threads asked for; `nil` for each library's default (one per core).
        public var threads: Int?
        public var precision: SessionOptions.Precision

        public init(modelDigest: String, inputShape: String, threads: Int?, precision: SessionOptions.Precision) {
            self.modelDigest = modelDigest
            self.inputShape = inputShape
            self.threads = threads
            self.precision = precision
        }

        /// `input=1x3x544x544, 2 threads, accurate`.
        public var description: String {
            let threadText = threads.map { "\($0) thread\($0 == 1 ? "" : "s")" } ?? "default threads"
            return "\(inputShape), \(threadText), \(precision.rawValue)"
        }
    }

    /// One candidate's time: a pair at a precision.
    public struct Measurement: Sendable, Codable, Hashable {
        public var device: DeviceID
        /// The precision its session was opened with; `nil` for the conditions' own.
        public var precision: SessionOptions.Precision?
        /// Another file of the same model it ran (a manifest's int8 or fp16 variant, by name);
        /// `nil` for the file the conditions' digest names.
        public var variant: String?
        /// The pair's ``PairFingerprint`` when it was measured.
        public var fingerprint: String
        /// Fastest of the timed runs after a warm-up; `nil` when the pair failed.
        public var seconds: Double?
        /// Why the pair could not be measured (it failed to load or run).
        public var failure: String?
        /// The input shape actually timed: a smaller tile than ``Conditions/inputShape`` ranks the
        /// pairs the same at a fraction of the cost.
        public var timedShape: String
        /// The output's quality against the float32 reference (the lowest PSNR in dB over the
        /// quality inputs), where it was checked; `infinity` when identical.
        public var psnr: Double?
        /// The time on a larger tile, for the candidates that were close to the fastest on the
        /// small one: a small tile fits in cache and can rank libraries otherwise than the real
        /// tile does (the native engine won at 64² and lost by 1.5× at 512² on one AVX2 host).
        public var confirmation: Confirmation?
        public var measuredAt: Date

        /// The fastest run on ``shape`` (a `nil` time: the candidate failed there, see ``failure``).
        public struct Confirmation: Sendable, Codable, Hashable {
            public var seconds: Double?
            public var shape: String
            public var failure: String?

            public init(seconds: Double?, shape: String, failure: String? = nil) {
                self.seconds = seconds
                self.shape = shape
                self.failure = failure
            }
        }

        /// The time candidates are ranked by: the confirmation's where there is one.
        public var rankingSeconds: Double? {
            if let confirmation { confirmation.seconds } else { seconds }
        }

        /// The shape ``rankingSeconds`` was taken at.
        public var rankingShape: String { confirmation?.shape ?? timedShape }

        public init(
            device: DeviceID, precision: SessionOptions.Precision? = nil, variant: String? = nil, fingerprint: String,
            seconds: Double?, failure: String? = nil, timedShape: String, psnr: Double? = nil, confirmation: Confirmation? = nil,
            measuredAt: Date = Date()
        ) {
            self.device = device
            self.precision = precision
            self.variant = variant
            self.fingerprint = fingerprint
            self.seconds = seconds
            self.failure = failure
            self.timedShape = timedShape
            self.psnr = psnr
            self.confirmation = confirmation
            self.measuredAt = measuredAt
        }
    }

    /// The file format's version; files of another version are ignored (and rewritten).
    public static let schema = 3

    public var schema = SpeedProfile.schema
    public var conditions: Conditions
    public var measurements: [Measurement]

    public init(conditions: Conditions, measurements: [Measurement] = []) {
        self.conditions = conditions
        self.measurements = measurements
    }

    /// The measurements still valid for the candidates as they are now: those whose
    /// fingerprint is among `fingerprints` (a fingerprint names its device, so candidates of
    /// other devices or of changed builds drop out).
    public func current(fingerprints: Set<String>) -> SpeedProfile {
        var copy = self
        copy.measurements = measurements.filter { fingerprints.contains($0.fingerprint) }
        return copy
    }

    /// Whether a current measurement of `device` at `precision` (of `variant`) is kept.
    public func isMeasured(
        _ device: DeviceID, precision: SessionOptions.Precision?, variant: String? = nil, fingerprint: String
    ) -> Bool {
        measurements.contains {
            $0.device == device && $0.precision == precision && $0.variant == variant && $0.fingerprint == fingerprint
        }
    }

    /// Candidates whose small-tile time is within `ratio` of the fastest, fastest first, at most
    /// `limit`: those a larger tile could still reorder.
    public func contenders(ratio: Double, limit: Int) -> [Measurement] {
        let timed = measurements.compactMap { entry in entry.seconds.map { (entry, $0) } }.sorted { $0.1 < $1.1 }
        guard let fastest = timed.first?.1 else { return [] }
        return Array(timed.filter { $0.1 <= fastest * ratio }.map(\.0).prefix(limit))
    }

    /// Adds each candidate's time on the confirmation tile; candidates not among `times` lose
    /// any earlier confirmation (it was taken among other contenders, perhaps at another shape).
    public mutating func confirm(_ times: [(candidate: Measurement, confirmation: Measurement.Confirmation)]) {
        for index in measurements.indices {
            let key = measurements[index].candidateKey
            measurements[index].confirmation = times.first { $0.candidate.candidateKey == key }?.confirmation
        }
    }

    /// Adds `new`, replacing older measurements of the same candidates (device, precision, variant).
    public mutating func record(_ new: [Measurement]) {
        let replaced = Set(new.map(\.candidateKey))
        measurements = measurements.filter { !replaced.contains($0.candidateKey) } + new
        measurements.sort { $0.candidateKey < $1.candidateKey }
    }

    /// The profile file for `conditions` in `directory`: the model's digest, then a digest of
    /// the other conditions, so each tile size, thread count and precision has its own file.
    public static func url(for conditions: Conditions, in directory: URL) -> URL {
        let rest = FileDigest.sha256(of: Data("\(conditions.inputShape)|\(conditions.threads ?? 0)|\(conditions.precision.rawValue)".utf8))
        return directory.appendingPathComponent("profiles/speed-\(conditions.modelDigest.prefix(16))-\(rest.prefix(12)).json")
    }

    /// The profile for `conditions` in `directory`, or `nil` if there is none, it is unreadable
    /// or of another schema (a cache: the caller measures again).
    public static func load(_ conditions: Conditions, from directory: URL) -> SpeedProfile? {
        guard let data = try? Data(contentsOf: url(for: conditions, in: directory)),
            let profile = try? JSONDecoder.profiles.decode(SpeedProfile.self, from: data),
            profile.schema == schema, profile.conditions == conditions
        else { return nil }
        return profile
    }

    /// Writes the profile into `directory` atomically.
    public func save(in directory: URL) throws {
        let url = Self.url(for: conditions, in: directory)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try JSONEncoder.profiles.encode(self).write(to: url, options: .atomic)
    }
}

extension SpeedProfile.Measurement {
    /// `device precision variant`: what tells candidates apart.
    var candidateKey: String { "\(device) \(precision?.rawValue ?? "") \(variant ?? "")" }

    /// This candidate's ``label(device:precision:variant:)``.
    public var label: String { Self.label(device: device, precision: precision, variant: variant) }

    /// `openvino:CPU`, `openvino:CPU fast`, `openvino:CPU accurate any-int8`: how a candidate is
    /// named in explanations and progress lines.
    public static func label(device: DeviceID, precision: SessionOptions.Precision?, variant: String?) -> String {
        device.rawValue + (precision.map { " \($0.rawValue)" } ?? "") + (variant.map { " \($0)" } ?? "")
    }
}

extension JSONEncoder {
    fileprivate static var profiles: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }
}

extension JSONDecoder {
    fileprivate static var profiles: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}
