import ArgumentParser
import Foundation
import ONNXModel
import TilePipeline

/// `tessera bench load`: how long a model takes to load, and how much memory its weights cost.
struct BenchLoad: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Time loading a model and measure the memory its weights take.",
        discussion: """
            Loads the model --repeat times and prints the median and fastest load time. The first \
            load also reports how much anonymous (non-file) memory the process gained, against the \
            model's parameter bytes: 1.0 means the weights were copied exactly once.
            """
    )

    @Argument(help: "The .onnx model file.", completion: .file(extensions: ["onnx"]))
    var model: String

    @Option(name: .customLong("repeat"), help: "How many times to load the model.")
    var repetitions: Int = 5

    @Flag(help: "Print the result as JSON.")
    var json = false

    func validate() throws {
        guard (1...1000).contains(repetitions) else { throw ValidationError("--repeat must be between 1 and 1000") }
    }

    struct Result: Encodable {
        var file: String
        var loads: Int
        var medianSeconds: Double
        var fastestSeconds: Double
        var parameterBytes: Int
        var anonymousMemoryGrowthBytes: Int?
        var copiesOfWeights: Double?
    }

    func run() async throws {
        let url = URL(fileURLWithPath: model)
        let clock = ContinuousClock()
        // Memory is measured around the first load only, before freed buffers of later loads
        // can linger in the allocator.
        let before = ProcessMemory.anonymousResidentBytes()
        var start = clock.now
        let first = try Model(contentsOf: url)
        var times = [(clock.now - start).seconds]
        let after = ProcessMemory.anonymousResidentBytes()
        for _ in 1..<repetitions {
            start = clock.now
            _ = try Model(contentsOf: url)
            times.append((clock.now - start).seconds)
        }
        let bytes = ModelStatistics(first).parameterBytes
        let growth = before.flatMap { b in after.map { $0 - b } }
        times.sort()
        let result = Result(
            file: url.path, loads: times.count, medianSeconds: times[times.count / 2], fastestSeconds: times[0],
            parameterBytes: bytes, anonymousMemoryGrowthBytes: growth,
            copiesOfWeights: growth.flatMap { bytes > 0 ? Double($0) / Double(bytes) : nil })
        withExtendedLifetime(first) {}
        if json {
            print(try JSONOutput.string(result))
        } else {
            print("\(result.file): \(result.loads) loads, median \(String(format: "%.1f", result.medianSeconds * 1000)) ms, "
                + "fastest \(String(format: "%.1f", result.fastestSeconds * 1000)) ms")
            if let copies = result.copiesOfWeights {
                print("weights \(Formatting.bytes(bytes)); memory held after the loads: \(String(format: "%.2f", copies))× the weights")
            }
        }
    }
}

/// Reads the process's own memory figures from /proc (Linux).
enum ProcessMemory {
    /// `RssAnon`: resident memory not backed by a file, in bytes; `nil` where /proc is absent.
    static func anonymousResidentBytes() -> Int? {
        field("RssAnon:")
    }

    /// `VmHWM`: the peak resident set size, in bytes.
    static func peakResidentBytes() -> Int? {
        field("VmHWM:")
    }

    private static func field(_ name: String) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix(name) {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            if parts.count >= 2, let kb = Int(parts[1]) { return kb * 1024 }
        }
        return nil
    }
}
