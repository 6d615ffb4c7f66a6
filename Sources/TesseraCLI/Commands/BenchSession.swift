import ArgumentParser
import Foundation
import Tessera
import TilePipeline

/// `tessera bench [session]`: session load (cold and cached) and run time per library and device;
/// with `--autotune`, the speed profile selection follows (what a first `tessera run` measures).
struct BenchSession: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "session",
        abstract: "Time loading and running a model on each library and device.",
        discussion: """
            For each usable (library, device) pair: the first session load with an empty cache, \
            a second load with the cache the first one filled, and the median of --repeat runs \
            on a seeded random input after one warm-up run. With --autotune the fastest runs are \
            kept as the model's speed profile for these input shapes and threads, which \
            `tessera run` then follows (a first `tessera run` measures it by itself).

            Examples:
              tessera bench x4.onnx --input-shape input=1x3x256x256
              tessera bench --autotune x4.onnx --input-shape input=1x3x256x256
            """
    )

    @Argument(help: "The .onnx model file.", completion: .file(extensions: ["onnx"]))
    var model: String

    @Option(
        name: .customLong("input-shape"),
        help: ArgumentHelp("Shape of an input with dynamic dims, e.g. input=1x3x256x256.", valueName: "name=shape"))
    var inputShapes: [InputShapeOption] = []

    @Option(help: "Only this library.")
    var library: String?

    @Option(help: "Only this device (id, route or kind).")
    var device: String?

    @Option(name: .customLong("repeat"), help: "Timed runs per pair.")
    var repetitions: Int = 5

    @Option(help: "Intra-op threads (default: the library's choice).")
    var threads: Int?

    @Flag(help: "Save the measured speeds as this model's profile for selection.")
    var autotune = false

    @Flag(help: "Print JSON.")
    var json = false

    struct Measurement: Encodable {
        var device: String
        var firstLoadSeconds: Double
        var cachedLoadSeconds: Double
        var medianRunSeconds: Double
        var fastestRunSeconds: Double
    }

    func validate() throws {
        guard (1...1000).contains(repetitions) else { throw ValidationError("--repeat must be between 1 and 1000") }
    }

    func run() async throws {
        let url = URL(fileURLWithPath: model)
        let summary = ModelSummary(model: try Model(contentsOf: url), schemas: try OperatorSchemas.standard())
        let catalog = BackendCatalog.discover()
        let selection = Selection(
            devices: catalog.devices(), reports: catalog.reports(for: summary), library: library, device: device)
        let shapes = inputShapes.byName.mapValues { $0.compactMap(\.value) }
        var feeds: [String: Tensor] = [:]
        for input in summary.inputs {
            let random = InputOption(name: input.name, source: .random(seed: 1))
            feeds[input.name] = try random.tensor(for: input, shape: shapes[input.name])
        }

        var results: [(choice: Selection.Choice, backend: any Backend, measurement: Measurement)] = []
        for choice in selection.ranked {
            guard let backend = catalog.backends.first(where: { $0.id == choice.device.backend }) else { continue }
            if !json { StandardError.write("measuring \(choice.device.id)…") }
            let measurement = try await measure(backend: backend, device: choice.device, model: url, feeds: feeds, shapes: shapes)
            results.append((choice, backend, measurement))
        }
        if autotune {
            let conditions = SpeedProfile.Conditions(
                modelDigest: try FileDigest.sha256(of: url, rememberedIn: Cache.directory), inputShape: Tuner.shapeText(feeds), threads: threads,
                precision: .accurate)
            var profile = SpeedProfile.load(conditions, from: Cache.directory) ?? SpeedProfile(conditions: conditions)
            profile.record(results.map { result in
                SpeedProfile.Measurement(
                    device: result.choice.device.id, fingerprint: PairFingerprint.of(result.backend, device: result.choice.device),
                    seconds: result.measurement.fastestRunSeconds, timedShape: conditions.inputShape)
            })
            try profile.save(in: Cache.directory)
            if !json { StandardError.write("saved the speed profile to \(SpeedProfile.url(for: conditions, in: Cache.directory).path)") }
        }
        if json {
            print(try JSONOutput.string(results.map(\.measurement)))
            return
        }
        var table = TextTable([("device", .left), ("first load", .right), ("cached load", .right), ("run (median)", .right), ("run (fastest)", .right)])
        for r in results.map(\.measurement) {
            table.append([r.device, Self.ms(r.firstLoadSeconds), Self.ms(r.cachedLoadSeconds), Self.ms(r.medianRunSeconds), Self.ms(r.fastestRunSeconds)])
        }
        print(table.render())
    }

    private func measure(backend: any Backend, device: Device, model: URL, feeds: [String: Tensor], shapes: [String: [Int]])
        async throws -> Measurement
    {
        // A fresh cache folder per pair, so the first load really is cold.
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: cache) }
        let options = SessionOptions(threads: threads, cacheDirectory: cache, inputShapes: shapes)
        let clock = ContinuousClock()
        var start = clock.now
        _ = try await backend.makeSession(model: model, device: device, options: options)
        let first = (clock.now - start).seconds
        start = clock.now
        let session = try await backend.makeSession(model: model, device: device, options: options)
        let cached = (clock.now - start).seconds
        _ = try session.run(feeds)
        var times: [Double] = []
        for _ in 0..<repetitions {
            start = clock.now
            _ = try session.run(feeds)
            times.append((clock.now - start).seconds)
        }
        times.sort()
        return Measurement(
            device: device.id.rawValue, firstLoadSeconds: first, cachedLoadSeconds: cached,
            medianRunSeconds: times[times.count / 2], fastestRunSeconds: times[0])
    }

    private static func ms(_ seconds: Double) -> String { String(format: "%.1f ms", seconds * 1000) }
}
