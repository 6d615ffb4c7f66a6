import Foundation
import ModelManifest
import Synchronization
import TesseraTestSupport

/// A temporary folder with a payload file to fetch, its digest from `sha256sum` (the oracle),
/// a served folder and an empty cache.
struct StoreFixture {
    let folder: URL
    /// Files here are what the loopback server serves.
    let served: URL
    let cache: URL
    let payload: Data
    let payloadName = "payload.bin"
    /// `sha256sum` of the payload.
    let digest: String

    init(bytes: Int = 300_000, seed: UInt64 = 5) throws {
        folder = try Fixtures.temporaryDirectory("model-store")
        served = folder.appendingPathComponent("served")
        cache = folder.appendingPathComponent("cache")
        try FileManager.default.createDirectory(at: served, withIntermediateDirectories: true)
        var generator = SeededGenerator(seed: seed)
        payload = Data((0..<bytes).map { _ in UInt8.random(in: 0...255, using: &generator) })
        try payload.write(to: served.appendingPathComponent(payloadName))
        digest = try Self.sha256sum(served.appendingPathComponent(payloadName))
    }

    func remove() { try? FileManager.default.removeItem(at: folder) }

    /// A manifest for the payload, written into the served folder as `name`.
    @discardableResult
    func writeManifest(
        id: String = "payload-model", url: String? = nil, sha256: String? = nil, bytes: Int? = nil, name: String = "manifest.json"
    ) throws -> URL {
        let variant = ModelManifest.Variant(
            precision: .fp32, file: "model.onnx", url: url ?? payloadName, sha256: sha256 ?? digest, bytes: bytes ?? payload.count)
        let manifest = ModelManifest(id: id, scale: 2, input: .init(name: "in"), output: .init(name: "out"), variants: [variant])
        let location = served.appendingPathComponent(name)
        try manifest.jsonData().write(to: location)
        return location
    }

    /// The hex SHA-256 that coreutils' `sha256sum` prints.
    static func sha256sum(_ file: URL) throws -> String {
        String(try runProcess(URL(fileURLWithPath: "/usr/bin/sha256sum"), [file.path]).stdout.prefix(64))
    }

    /// The names in `folder`, sorted; empty when it does not exist.
    static func contents(of folder: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
    }
}

/// Collects progress callbacks from any thread.
final class ProgressLog: Sendable {
    private let calls = Mutex<[(Int64, Int64)]>([])

    var all: [(Int64, Int64)] { calls.withLock { $0 } }

    @Sendable func record(_ done: Int64, _ total: Int64) {
        calls.withLock { $0.append((done, total)) }
    }
}
