import Foundation
import Testing
import TesseraTestSupport

@Suite("bench --autotune writes a speed profile that selection follows")
struct AutotuneTests {
    @Test("Profile saved, then `run --explain` reports it and picks the fastest measured pair")
    func autotune() throws {
        let cache = try Fixtures.temporaryDirectory("autotune-cache")
        defer { try? FileManager.default.removeItem(at: cache) }
        let model = try #require(try Fixtures.lightModels().first { $0.lastPathComponent == "light_squeezenet.onnx" })
        let environment = ["TESSERA_CACHE": cache.path]

        let bench = try runProcess(
            try TesseraBinary.url(), ["bench", "--autotune", model.path, "--repeat", "1", "--json"], environment: environment)
        #expect(bench.status == 0, "\(bench.stderr)")
        struct Measurement: Decodable {
            var device: String
            var medianRunSeconds: Double
        }
        let measured = try JSONDecoder().decode([Measurement].self, from: Data(bench.stdout.utf8))
        #expect(Set(measured.map(\.device)) == ["onnxruntime:cpu", "openvino:CPU", "reference:cpu"])
        let profiles = try FileManager.default.contentsOfDirectory(atPath: cache.path).filter { $0.hasPrefix("speed-") }
        #expect(profiles.count == 1)

        let run = try runProcess(
            try TesseraBinary.url(), ["run", model.path, "--input", "data_0=random:1", "--explain"], environment: environment)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("explain: speed profile"), "\(run.stderr)")
        let fastest = try #require(measured.min { $0.medianRunSeconds < $1.medianRunSeconds })
        #expect(run.stderr.contains("explain: chose \(fastest.device)"), "\(run.stderr)")
    }
}
