import Foundation
import Testing
import TesseraTestSupport

@Suite("Loading a large model copies its weights at most once")
struct LoadMemoryTests {
    @Test("The 64 MB Real-ESRGAN-class fixture: anonymous memory after load ≤ 1.25 × the weights")
    func singleCopy() throws {
        let model = Fixtures.repositoryRoot.appendingPathComponent("fixtures/large/rrdb-class.onnx")
        guard FileManager.default.fileExists(atPath: model.path) else {
            throw Fixtures.Missing(what: "the large model fixture", path: model.path)
        }
        let result = try TesseraBinary.run(["bench", "load", model.path, "--repeat", "1", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        struct Report: Decodable {
            var parameterBytes: Int
            var copiesOfWeights: Double
        }
        let report = try JSONDecoder().decode(Report.self, from: Data(result.stdout.utf8))
        #expect(report.parameterBytes > 60_000_000)
        #expect(report.copiesOfWeights < 1.25, "the loader copied the weights \(report.copiesOfWeights) times")
        #expect(report.copiesOfWeights > 0.5, "the measurement itself looks broken")
    }
}
