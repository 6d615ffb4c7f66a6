import Foundation
import ONNXModel
import Testing
import TesseraTestSupport

@Suite("Load → save → load round trips, checked by the onnx package")
struct RoundTripTests {
    /// Every light model and every model.onnx of Debian's libonnx-testdata.
    static func corpus() throws -> [URL] {
        try Fixtures.lightModels() + Fixtures.onnxTestDataModels()
    }

    @Test("Every corpus model loads, validates, and survives a round trip with graph and initializers identical")
    func corpusRoundTrip() throws {
        let models = try Self.corpus()
        #expect(models.count > 1000, "expected the light models and about 1070 libonnx-testdata models")
        let directory = try Fixtures.temporaryDirectory("roundtrip")
        defer { try? FileManager.default.removeItem(at: directory) }

        var pairs: [[String]] = []
        for (index, url) in models.enumerated() {
            let model = try Model(contentsOf: url)
            try model.validate()
            let copy = directory.appendingPathComponent("\(index).onnx")
            try model.write(to: copy)
            // Our own reader sees the same initializers again, byte for byte.
            let reloaded = try Model(contentsOf: copy)
            #expect(reloaded.graph.nodes.count == model.graph.nodes.count, "\(url.path)")
            #expect(
                reloaded.graph.initializers.map(\.tensor) == model.graph.initializers.map(\.tensor), "\(url.path)")
            pairs.append([url.path, copy.path])
        }
        let report = try OracleReport.compare(pairs, in: directory)
        #expect(report.compared == models.count)
        #expect(report.mismatches.isEmpty, "\(report.mismatches.prefix(10))")
    }
}

/// The JSON `Tests/Oracles/compare_models.py` prints.
struct OracleReport: Decodable {
    struct Mismatch: Decodable, CustomStringConvertible {
        var original: String
        var copy: String
        var reason: String
        var description: String { "\(original): \(reason)" }
    }
    var compared: Int
    var mismatches: [Mismatch]

    /// Runs the oracle over `pairs` of [original, copy] paths.
    static func compare(_ pairs: [[String]], in directory: URL, payloadAgnostic: Bool = false) throws -> OracleReport {
        let list = directory.appendingPathComponent("pairs.json")
        try JSONEncoder().encode(pairs).write(to: list)
        let output = try runPython(
            "Tests/Oracles/compare_models.py", [list.path] + (payloadAgnostic ? ["--payload-agnostic"] : []))
        return try JSONDecoder().decode(OracleReport.self, from: Data(output.utf8))
    }
}
