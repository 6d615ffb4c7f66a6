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
            var fastestRunSeconds: Double
        }
        let measured = try JSONDecoder().decode([Measurement].self, from: Data(bench.stdout.utf8))
        #expect(Set(measured.map(\.device)) == ["onnxruntime:cpu", "openvino:CPU", "reference:cpu"])
        let profiles = try FileManager.default.contentsOfDirectory(atPath: cache.appendingPathComponent("profiles").path).filter { $0.hasPrefix("speed-") }
        #expect(profiles.count == 1)

        let run = try runProcess(
            try TesseraBinary.url(), ["run", model.path, "--input", "data_0=random:1", "--explain"], environment: environment)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("explain: measured on this machine at data_0=1x3x224x224"), "\(run.stderr)")
        #expect(!run.stderr.contains("measuring"), "\(run.stderr)")
        let fastest = try #require(measured.min { $0.fastestRunSeconds < $1.fastestRunSeconds })
        #expect(run.stderr.contains("explain: chose \(fastest.device)"), "\(run.stderr)")
    }
}
