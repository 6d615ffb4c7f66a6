import Foundation
import Testing
import TesseraTestSupport

/// Measured selection end to end: the first run of a model times every usable pair, keeps the
/// result, follows it on later runs, and measures again when the model or a library changes.
@Suite("Measured selection (no manual step)", .serialized)
struct MeasuredSelectionTests {
    /// The profile file's fields these tests read, decoded independently of Tessera's types.
    struct StoredProfile: Decodable {
        struct Measurement: Decodable {
            var device: String
            var fingerprint: String
            var seconds: Double?
            var variant: String?
            /// The time on the larger tile, for the candidates that were close on the small one.
            var confirmation: Confirmation?
        }
        struct Confirmation: Decodable {
            var seconds: Double?
        }
        var measurements: [Measurement]

        /// The candidate selection must choose, as the profile's documentation defines it: those
        /// timed again on the larger tile first, by that time, then the others by their small-tile time.
        var fastest: Measurement? {
            let ranked = measurements.compactMap { entry -> (Int, Double, Measurement)? in
                // A candidate that failed on the larger tile is only a fallback.
                let seconds = entry.confirmation == nil ? entry.seconds : entry.confirmation?.seconds
                return seconds.map { (entry.confirmation == nil ? 1 : 0, $0, entry) }
            }
            return ranked.min { ($0.0, $0.1) < ($1.0, $1.1) }?.2
        }
    }

    private struct Workspace {
        var folder: URL
        var cache: URL { folder.appendingPathComponent("cache") }
        var profiles: URL { cache.appendingPathComponent("profiles") }

        init() throws { folder = try Fixtures.temporaryDirectory("measured-selection") }

        func tessera(_ arguments: [String]) throws -> ProcessResult {
            try runProcess(try TesseraBinary.url(), arguments, environment: ["TESSERA_CACHE": cache.path])
        }

        func profileFiles() -> [URL] {
            ((try? FileManager.default.contentsOfDirectory(at: profiles, includingPropertiesForKeys: nil)) ?? [])
                .filter { $0.lastPathComponent.hasPrefix("speed-") }
        }

        func remove() { try? FileManager.default.removeItem(at: folder) }
    }

    /// The device the stored measurements say is fastest.
    private static func fastest(in profile: URL) throws -> String {
        let stored = try JSONDecoder().decode(StoredProfile.self, from: Data(contentsOf: profile))
        return try #require(stored.fastest).device
    }

    @Test("models install measures every pair; the first upscale follows the kept profile without measuring")
    func installMeasures() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let model = try Fixtures.importedModel("realesr-animevideov3-x4", into: workspace.folder)
        let manifest = model.deletingPathExtension().appendingPathExtension("json")

        let install = try workspace.tessera(["models", "install", manifest.path, "--explain"])
        #expect(install.status == 0, "\(install.stderr)")
        #expect(install.stderr.contains("measuring realesr-animevideov3-x4 on 3 candidates"), "\(install.stderr)")
        let profiles = workspace.profileFiles()
        try #require(profiles.count == 1, "\(profiles)")
        let stored = try JSONDecoder().decode(StoredProfile.self, from: Data(contentsOf: profiles[0]))
        #expect(Set(stored.measurements.map(\.device)) == ["onnxruntime:cpu", "openvino:CPU", "reference:cpu"])
        #expect(stored.measurements.allSatisfy { ($0.seconds ?? 0) > 0 && !$0.fingerprint.isEmpty })

        let photo = try Fixtures.samplePhoto("chelsea.png")
        let output = workspace.folder.appendingPathComponent("out.png")
        let upscale = try workspace.tessera(["upscale", photo.path, "-o", output.path, "--region", "0,0,48,40", "--explain"])
        #expect(upscale.status == 0, "\(upscale.stderr)")
        #expect(!upscale.stderr.contains("measuring"), "\(upscale.stderr)")
        #expect(upscale.stderr.contains("explain: measured on this machine at data=1x3x"), "\(upscale.stderr)")
        let fastest = try Self.fastest(in: profiles[0])
        #expect(upscale.stderr.contains("explain: chose \(fastest) "), "\(upscale.stderr)")
        #expect(upscale.stderr.contains("explain: worker: \(fastest) accurate "), "\(upscale.stderr)")
        #expect(workspace.profileFiles() == profiles)
    }

    @Test("a changed model file or library build is measured again; --no-tune measures nothing")
    func invalidation() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let model = try Fixtures.importedModel("realesr-animevideov3-x4", into: workspace.folder)
        let photo = try Fixtures.samplePhoto("chelsea.png")
        let output = workspace.folder.appendingPathComponent("out.png")
        let arguments = ["upscale", photo.path, "-o", output.path, "--model", model.path, "--region", "0,0,40,40"]

        let first = try workspace.tessera(arguments)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("on 3 candidates"), "\(first.stderr)")
        let second = try workspace.tessera(arguments)
        #expect(second.status == 0 && !second.stderr.contains("measuring"), "\(second.stderr)")

        // A library upgrade changes its pair's fingerprint: only that pair is measured again.
        let profile = try #require(workspace.profileFiles().first)
        let text = try String(contentsOf: profile, encoding: .utf8)
        let stored = try JSONDecoder().decode(StoredProfile.self, from: Data(text.utf8))
        let openVINO = try #require(stored.measurements.first { $0.device == "openvino:CPU" })
        try text.replacingOccurrences(of: openVINO.fingerprint, with: "an older build").write(
            to: profile, atomically: true, encoding: .utf8)
        let upgraded = try workspace.tessera(arguments)
        #expect(upgraded.status == 0, "\(upgraded.stderr)")
        #expect(upgraded.stderr.contains("on 1 candidate ("), "\(upgraded.stderr)")
        #expect(upgraded.stderr.contains("openvino:CPU"), "\(upgraded.stderr)")

        // The same path with other bytes is another model.
        _ = try runPython("Tests/Oracles/plant_weight_change.py", [model.path, model.path, "1.01"])
        let changed = try workspace.tessera(arguments)
        #expect(changed.status == 0, "\(changed.stderr)")
        #expect(changed.stderr.contains("on 3 candidates"), "\(changed.stderr)")
        #expect(workspace.profileFiles().count == 2)

        // Another tile size is another measurement, which --no-tune skips (and keeps nothing).
        let skipped = try workspace.tessera(arguments + ["--tile", "64", "--no-tune", "--explain"])
        #expect(skipped.status == 0, "\(skipped.stderr)")
        #expect(!skipped.stderr.contains("measuring") && !skipped.stderr.contains("explain: measured"), "\(skipped.stderr)")
        #expect(workspace.profileFiles().count == 2)
    }

    @Test("tessera run measures on its first run at given shapes and follows the profile after")
    func runMeasures() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let model = try #require(try Fixtures.lightModels().first { $0.lastPathComponent == "light_squeezenet.onnx" })
        let arguments = ["run", model.path, "--input", "data_0=random:1", "--explain"]
        let first = try workspace.tessera(arguments)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("measuring light_squeezenet.onnx on 3 candidates"), "\(first.stderr)")
        let profile = try #require(workspace.profileFiles().first)
        let second = try workspace.tessera(arguments)
        #expect(second.status == 0 && !second.stderr.contains("measuring"), "\(second.stderr)")
        #expect(second.stderr.contains("explain: chose \(try Self.fastest(in: profile)) "), "\(second.stderr)")
    }

    @Test("fast mode measures an int8 variant added by quantize --add-to and uses it only at or above --min-psnr")
    func int8Variant() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let model = try Fixtures.importedModel("realesr-animevideov3-x4", into: workspace.folder)
        let manifest = model.deletingPathExtension().appendingPathExtension("json")
        let id = "realesr-animevideov3-x4"
        #expect(try workspace.tessera(["models", "install", manifest.path, "--no-tune"]).status == 0)
        // quantize --add-to makes the int8 file a second variant of the installed model.
        let quantized = workspace.folder.appendingPathComponent("x4-int8.onnx")
        let quantize = try workspace.tessera([
            "quantize", model.path, "-o", quantized.path, "--calibration", "random:2", "--add-to", id,
        ])
        try #require(quantize.status == 0, "\(quantize.stderr)")
        #expect(quantize.stdout.contains("added to \(id) as any-int8"), "\(quantize.stdout)")

        let photo = try Fixtures.samplePhoto("chelsea.png")
        let output = workspace.folder.appendingPathComponent("out.png")
        let arguments = [
            "upscale", photo.path, "-o", output.path, "--model", id, "--region", "0,0,40,40", "--library", "onnxruntime",
            "--precision", "fast", "--explain",
        ]
        // Random calibration leaves the int8 file well below 45 dB of the float32 model's output.
        let strict = try workspace.tessera(arguments)
        #expect(strict.status == 0, "\(strict.stderr)")
        #expect(strict.stderr.contains("on 2 candidates (library, device, precision, variant)"), "\(strict.stderr)")
        let refused = try #require(strict.stderr.split(separator: "\n").first { $0.hasPrefix("explain:   onnxruntime:cpu accurate any-int8") })
        #expect(refused.contains("not used"), "\(refused)")
        #expect(strict.stderr.contains("explain: chose onnxruntime:cpu accurate (") , "\(strict.stderr)")

        // A floor of 0 dB admits it wherever it measured faster; the kept profile decides.
        let profile = try #require(workspace.profileFiles().first)
        let stored = try JSONDecoder().decode(StoredProfile.self, from: Data(contentsOf: profile))
        let loose = try workspace.tessera(arguments + ["--min-psnr", "0"])
        #expect(loose.status == 0 && !loose.stderr.contains("measuring"), "\(loose.stderr)")
        let fastest = try #require(stored.fastest)
        let expected = fastest.variant == nil ? "onnxruntime:cpu accurate (" : "onnxruntime:cpu accurate any-int8 ("
        #expect(loose.stderr.contains("explain: chose \(expected)"), "\(loose.stderr)")
    }
}
