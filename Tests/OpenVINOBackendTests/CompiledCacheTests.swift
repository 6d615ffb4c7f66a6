import Foundation
import InferenceRuntime
import TensorCore
import TesseraTestSupport
import Testing

@testable import OpenVINOBackend

/// Tessera's own blob cache (``OVCompiledCache``): which loads import a blob, which compile
/// again, and that an imported session is the compiled one in every respect a caller sees.
@Suite("OpenVINO compiled-model cache")
struct CompiledCacheTests {
    static let srvgg = Fixtures.repositoryRoot.appendingPathComponent("fixtures/srvgg-x4.onnx")

    private func session(_ model: URL, _ options: SessionOptions) async throws -> OVSession {
        try #require(try await OpenVINOFixtures.session(model, options: options) as? OVSession)
    }

    /// The cache folder's files with their modification dates: a hit must neither add nor rewrite one.
    private func files(in folder: URL) throws -> [String: Date] {
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        return try Dictionary(
            uniqueKeysWithValues: names.map { name in
                let attributes = try FileManager.default.attributesOfItem(
                    atPath: folder.appendingPathComponent(name).path)
                return (name, attributes[.modificationDate] as? Date ?? .distantPast)
            })
    }

    private func randomImage(_ shape: [Int], seed: UInt64) throws -> Tensor {
        var generator = SeededGenerator(seed: seed)
        let count = shape.reduce(1, *)
        return try Tensor(shape: shape, scalars: (0..<count).map { _ in Float.random(in: 0..<1, using: &generator) })
    }

    @Test("a reshaped model's second load imports the blob: same ports, options and outputs")
    func hitAfterReshape() async throws {
        let cache = try Fixtures.temporaryDirectory("ov-blob-cache")
        defer { try? FileManager.default.removeItem(at: cache) }
        let options = SessionOptions(threads: 1, cacheDirectory: cache, inputShapes: ["input": [1, 3, 32, 48]])

        let first = try await session(Self.srvgg, options)
        #expect(!first.loadedFromCache)
        let written = try files(in: cache)
        #expect(written.count == 1, "one blob per model and options: \(written.keys.sorted())")

        let second = try await session(Self.srvgg, options)
        #expect(second.loadedFromCache)
        #expect(try files(in: cache) == written)
        #expect(second.inputs == first.inputs && second.outputs == first.outputs)
        #expect(second.inputs.first?.dims == [1, 3, 32, 48])
        // The import must apply the options itself: a plugin imports with its own defaults.
        #expect(second.compiledProperty("INFERENCE_NUM_THREADS") == "1")
        #expect(second.compiledProperty("INFERENCE_PRECISION_HINT") == "f32")

        let input = try randomImage([1, 3, 32, 48], seed: 11)
        let expected = try first.run(["input": input])
        #expect(expected["output"]?.shape == [1, 3, 128, 192])
        #expect(try second.run(["input": input]) == expected)
        // The shape check still applies to an imported session.
        #expect(throws: BackendError.self) { try second.run(["input": try randomImage([1, 3, 32, 32], seed: 1)]) }
    }

    @Test("other shapes, other threads or a modified model file miss the cache and add a blob")
    func misses() async throws {
        let folder = try Fixtures.temporaryDirectory("ov-blob-keys")
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = folder.appendingPathComponent("model.onnx")
        try FileManager.default.copyItem(at: Self.srvgg, to: model)
        let cache = folder.appendingPathComponent("cache")
        let base = SessionOptions(cacheDirectory: cache, inputShapes: ["input": [1, 3, 16, 16]])

        #expect(try await !session(model, base).loadedFromCache)
        #expect(try await session(model, base).loadedFromCache)
        var wider = base
        wider.inputShapes = ["input": [1, 3, 16, 24]]
        #expect(try await !session(model, wider).loadedFromCache)
        var oneThread = base
        oneThread.threads = 1
        #expect(try await !session(model, oneThread).loadedFromCache)
        #expect(try files(in: cache).count == 3)

        // Same bytes, new modification time: OpenVINO's own from-file test, kept on purpose.
        let later = Date(timeIntervalSinceNow: 3600)
        try FileManager.default.setAttributes([.modificationDate: later], ofItemAtPath: model.path)
        #expect(try await !session(model, base).loadedFromCache)
        #expect(try await session(model, base).loadedFromCache)
        #expect(try files(in: cache).count == 4)
    }

    @Test("a damaged blob is compiled again and replaced")
    func damagedBlob() async throws {
        let cache = try Fixtures.temporaryDirectory("ov-blob-damaged")
        defer { try? FileManager.default.removeItem(at: cache) }
        let options = SessionOptions(cacheDirectory: cache, inputShapes: ["input": [1, 3, 16, 16]])
        let reference = try await session(Self.srvgg, options)
        let name = try #require(try files(in: cache).keys.first)
        let blob = cache.appendingPathComponent(name)
        try Data("not an OpenVINO blob".utf8).write(to: blob)

        let recompiled = try await session(Self.srvgg, options)
        #expect(!recompiled.loadedFromCache)
        let input = try randomImage([1, 3, 16, 16], seed: 3)
        #expect(try recompiled.run(["input": input]) == reference.run(["input": input]))
        #expect(try Array(files(in: cache).keys) == [name])
        #expect(try await session(Self.srvgg, options).loadedFromCache)
    }

    @Test("an imported model whose input OpenVINO renamed is still fed by its ONNX names")
    func renamedInput() async throws {
        let folder = try Fixtures.temporaryDirectory("ov-blob-renamed")
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = folder.appendingPathComponent("renamed.onnx")
        try makeModel(at: model, python: PortNamingTests.renamedInputModel)
        let options = SessionOptions(cacheDirectory: folder.appendingPathComponent("cache"))
        #expect(try await !session(model, options).loadedFromCache)

        let imported = try await session(model, options)
        #expect(imported.loadedFromCache)
        #expect(imported.inputs.map(\.name) == ["x", "c"])
        let outputs = try imported.run([
            "x": try Tensor(shape: [2], scalars: [Float(1.5), -2]), "b": try Tensor(shape: [0], scalars: [Float]()),
            "c": try Tensor(shape: [2], scalars: [Float(-3), 4]),
        ])
        #expect(try outputs["y"]?.scalars(as: Float.self) == [1.5, -2])
        #expect(try outputs["z"]?.scalars(as: Float.self) == [0, 4])
    }

    @Test("weights in an external data file are part of the key: new weights are compiled, not imported")
    func externalData() async throws {
        let folder = try Fixtures.temporaryDirectory("ov-blob-external")
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = folder.appendingPathComponent("scale.onnx")
        let script = """
            import numpy as np, onnx
            from onnx import helper, numpy_helper, TensorProto
            w = numpy_helper.from_array(np.array([2, 3], dtype=np.float32), "w")
            graph = helper.make_graph([helper.make_node("Mul", ["x", "w"], ["y"])], "scale",
                [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2])],
                [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2])], [w])
            model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
            onnx.save_model(model, \(String(reflecting: model.path)), save_as_external_data=True,
                location="weights.bin", size_threshold=0)
            """
        let result = try runProcess(try Fixtures.python(), ["-c", script])
        try #require(result.status == 0, "\(result.stderr.suffix(2000))")
        #expect(ONNXInterfaceNames(contentsOf: model)?.externalDataFiles == ["weights.bin"])

        let options = SessionOptions(cacheDirectory: folder.appendingPathComponent("cache"))
        let x = try Tensor(shape: [2], scalars: [Float(1), 1])
        #expect(try await session(model, options).run(["x": x])["y"]?.scalars(as: Float.self) == [2, 3])
        #expect(try await session(model, options).loadedFromCache)

        // New weights of the same size, written as a new file the way tools replace files.
        let weights = [Float(5), 7].withUnsafeBufferPointer { Data(buffer: $0) }
        try weights.write(to: folder.appendingPathComponent("weights.bin"), options: .atomic)
        let reweighted = try await session(model, options)
        #expect(!reweighted.loadedFromCache)
        #expect(try reweighted.run(["x": x])["y"]?.scalars(as: Float.self) == [5, 7])
    }
}
