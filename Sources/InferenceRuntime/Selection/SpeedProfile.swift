public import Foundation

/// Measured run times of one model on (library, device) pairs, written by
/// `tessera bench --autotune` and read by ``Selection``.
public struct SpeedProfile: Sendable, Codable, Hashable {
    /// SHA-256 of the model file, so a profile never applies to a different model.
    public var modelDigest: String
    /// The input shape the times were measured at, e.g. `input=1x3x256x256`.
    public var inputShape: String
    /// Median seconds per run, by device id (`onnxruntime:cpu`, `openvino:CPU`).
    public var secondsPerRun: [String: Double]
    public var measuredAt: Date

    public init(modelDigest: String, inputShape: String, secondsPerRun: [String: Double], measuredAt: Date = Date()) {
        self.modelDigest = modelDigest
        self.inputShape = inputShape
        self.secondsPerRun = secondsPerRun
        self.measuredAt = measuredAt
    }

    /// The profile file for `modelDigest` in `directory`.
    public static func url(for modelDigest: String, in directory: URL) -> URL {
        directory.appendingPathComponent("speed-\(modelDigest.prefix(16)).json")
    }

    /// Reads the profile for `modelDigest` from `directory`, or `nil` if there is none or it is unreadable.
    public static func load(modelDigest: String, from directory: URL) -> SpeedProfile? {
        guard let data = try? Data(contentsOf: url(for: modelDigest, in: directory)),
            let profile = try? JSONDecoder.profiles.decode(SpeedProfile.self, from: data),
            profile.modelDigest == modelDigest
        else { return nil }
        return profile
    }

    /// Writes the profile into `directory` atomically.
    public func save(in directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try JSONEncoder.profiles.encode(self).write(to: Self.url(for: modelDigest, in: directory), options: .atomic)
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
