import Foundation
import ONNXModel
import TensorCore
import Testing
import TesseraTestSupport

@Suite("External data in both directions")
struct ExternalDataTests {
    /// A Conv model with seeded random weights (1.7 kB and 64 B initializers), written inline to `directory`.
    private func convModel(in directory: URL) throws -> URL {
        var generator = SeededGenerator(seed: 11)
        let weights = (0..<(16 * 3 * 3 * 3)).map { _ in Float.random(in: -1...1, using: &generator) }
        let bias = (0..<16).map { _ in Float.random(in: -1...1, using: &generator) }
        let graph = Graph(
            name: "conv",
            nodes: [Node(name: "conv", opType: "Conv", inputs: ["x", "w", "b"], outputs: ["y"])],
            initializers: [
                StoredTensor(name: "w", tensor: try Tensor(shape: [16, 3, 3, 3], scalars: weights)),
                StoredTensor(name: "b", tensor: try Tensor(shape: [16], scalars: bias)),
            ],
            inputs: [ValueInfo(name: "x", type: .tensor(.float32, [.value(1), .value(3), .symbol("H"), .symbol("W")]))],
            outputs: [ValueInfo(name: "y", type: .tensor(.float32, nil))])
        let url = directory.appendingPathComponent("conv.onnx")
        try Model(graph: graph, opsetImports: [OpsetImport(domain: "", version: 17)]).write(to: url)
        return url
    }

    @Test("Saving to an external file and loading back gives the onnx package the same tensors")
    func externalRoundTrip() throws {
        let directory = try Fixtures.temporaryDirectory("external")
        defer { try? FileManager.default.removeItem(at: directory) }
        let original = try convModel(in: directory)
        let model = try Model(contentsOf: original)

        let external = directory.appendingPathComponent("split.onnx")
        try model.write(to: external, options: SaveOptions(externalData: .file("split.weights", threshold: 1024)))
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("split.weights").path))
        let modelBytes = try #require(try FileManager.default.attributesOfItem(atPath: external.path)[.size] as? Int)
        #expect(modelBytes < 1024, "the weights should have left the model file")

        let reloaded = try Model(contentsOf: external)
        let movedOut = reloaded.graph.initializers.filter {
            if case .external = $0.encoding { true } else { false }
        }
        #expect(!movedOut.isEmpty)
        #expect(reloaded.graph.initializers.map(\.tensor) == model.graph.initializers.map(\.tensor))

        // `.keep` into another folder writes the data file there too; `.inline` brings it back in.
        let elsewhere = try Fixtures.temporaryDirectory("external-keep")
        defer { try? FileManager.default.removeItem(at: elsewhere) }
        let kept = elsewhere.appendingPathComponent("kept.onnx")
        try reloaded.write(to: kept)
        #expect(FileManager.default.fileExists(atPath: elsewhere.appendingPathComponent("split.weights").path))
        let inline = directory.appendingPathComponent("inline.onnx")
        try Model(contentsOf: kept).write(to: inline, options: SaveOptions(externalData: .inline))

        let report = try OracleReport.compare(
            [[original.path, external.path], [original.path, kept.path], [original.path, inline.path]], in: directory,
            payloadAgnostic: true)
        #expect(report.mismatches.isEmpty, "\(report.mismatches)")
    }

    @Test("Locations outside the model's folder are refused", arguments: ["../outside.bin", "/etc/passwd", "a/../../b"])
    func escapingLocations(location: String) throws {
        let directory = try Fixtures.temporaryDirectory("escape")
        defer { try? FileManager.default.removeItem(at: directory) }
        let tensor = try Tensor(shape: [4], scalars: [Float](repeating: 1, count: 4))
        let stored = StoredTensor(name: "w", tensor: tensor, encoding: .external(ExternalDataReference(location: location)))
        let graph = Graph(
            name: "g", nodes: [Node(name: "id", opType: "Identity", inputs: ["w"], outputs: ["y"])],
            initializers: [stored], inputs: [], outputs: [ValueInfo(name: "y", type: nil)])
        let model = Model(graph: graph, opsetImports: [OpsetImport(domain: "", version: 17)])
        let url = directory.appendingPathComponent("m.onnx")
        let error = #expect(throws: ModelFileError.self) { try model.write(to: url) }
        #expect(error?.description.contains("external data '\(location)'") == true)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty, "nothing is left behind")
    }

    @Test("A symbolic link that leads out of the folder is refused on load")
    func symlinkEscape() throws {
        let directory = try Fixtures.temporaryDirectory("symlink")
        defer { try? FileManager.default.removeItem(at: directory) }
        let outside = try Fixtures.temporaryDirectory("outside")
        defer { try? FileManager.default.removeItem(at: outside) }
        let model = try Model(contentsOf: try convModel(in: outside))
        try model.write(to: outside.appendingPathComponent("m.onnx"), options: SaveOptions(externalData: .file("w.bin", threshold: 1024)))
        try FileManager.default.copyItem(
            at: outside.appendingPathComponent("m.onnx"), to: directory.appendingPathComponent("m.onnx"))
        try FileManager.default.createSymbolicLink(
            at: directory.appendingPathComponent("w.bin"), withDestinationURL: outside.appendingPathComponent("w.bin"))
        let error = #expect(throws: ModelFileError.self) { try Model(contentsOf: directory.appendingPathComponent("m.onnx")) }
        #expect(error?.description.contains("symbolic link") == true)
    }
}
