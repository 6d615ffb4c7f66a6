import Foundation
import Testing
import TesseraTestSupport

@Suite("The reference engine's peak memory stays near ONNX Runtime's")
struct PeakMemoryTests {
    private struct PeakRun: Decodable {
        var status: Int32
        var stderr: String
        var max_rss_kib: Int
    }

    /// Peak resident memory of `tessera bench` on `model` with `library`, as the kernel counted it,
    /// with its caches in `cache`.
    private static func peak(_ model: URL, library: String, cache: URL) throws -> PeakRun {
        let script = Fixtures.repositoryRoot.appendingPathComponent("Tests/Oracles/peak_rss.py")
        let result = try runProcess(try Fixtures.python(), [
            script.path, try TesseraBinary.url().path, "bench", model.path, "--input-shape", "input=1x3x64x64",
            "--repeat", "1", "--library", library,
        ], environment: ["TESSERA_CACHE": cache.path])
        try #require(result.status == 0, "peak_rss.py: \(result.stderr)")
        return try JSONDecoder().decode(PeakRun.self, from: Data(result.stdout.utf8))
    }

    // The buffer pool used to keep every float buffer a run gave back, so a graph of ~1000 nodes
    // kept most activations it ever computed: 1.9× ONNX Runtime's peak here, 8.6× on x4plus at 192².
    // Winograd keeps each 3×3 convolution's weights transformed, 36 values where the kernel has 9
    // (docs/winograd.md): three more copies of the weights, allowed on top.
    @Test("The 64 MB RRDB-class fixture at 64×64: peak resident memory ≤ 1.25 × ONNX Runtime's + 3 × the weights")
    func rrdbClass() throws {
        let model = Fixtures.repositoryRoot.appendingPathComponent("fixtures/large/rrdb-class.onnx")
        guard FileManager.default.fileExists(atPath: model.path) else {
            throw Fixtures.Missing(what: "the large model fixture", path: model.path)
        }
        let cache = try Fixtures.temporaryDirectory("reference-peak-memory")
        defer { try? FileManager.default.removeItem(at: cache) }
        let ort = try Self.peak(model, library: "onnxruntime", cache: cache)
        let reference = try Self.peak(model, library: "reference", cache: cache)
        try #require(ort.status == 0, "\(ort.stderr)")
        try #require(reference.status == 0, "\(reference.stderr)")
        let weightsKiB = Double(try FileManager.default.attributesOfItem(atPath: model.path)[.size] as? Int ?? 0) / 1024
        #expect(
            Double(reference.max_rss_kib) <= 1.25 * Double(ort.max_rss_kib) + 3 * weightsKiB,
            "reference \(reference.max_rss_kib) KiB, ONNX Runtime \(ort.max_rss_kib) KiB, weights \(Int(weightsKiB)) KiB")
    }
}
