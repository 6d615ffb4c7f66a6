import Foundation
import InferenceRuntime
import ONNXModel
import ONNXRuntimeBackend
import TensorCore
import Testing
import TesseraTestSupport

/// Maps through ONNX Runtime's C API: ZipMap's sequences of maps read map by map (keys and
/// values through GetValue), a DictVectorizer's map input built with CreateValue, a map passed
/// straight through, all checked against onnxruntime's Python API (Tests/Oracles/map_model.py).
@Suite("Map values on ONNX Runtime")
struct MapValueTests {
    /// The oracle's cases in a fresh folder: `zipmap/` and `dictvectorizer/`.
    static func cases() throws -> URL {
        let folder = try Fixtures.temporaryDirectory("ort-map-model")
        _ = try runPython("Tests/Oracles/map_model.py", [folder.path])
        return folder
    }

    /// A data set's inputs or outputs as the graph declares them.
    static func read(_ folder: URL, _ prefix: String, _ values: [ValueInfo]) throws -> [String: ModelValue] {
        var result: [String: ModelValue] = [:]
        for (index, value) in values.enumerated() {
            let data = try Data(contentsOf: folder.appendingPathComponent("test_data_set_0/\(prefix)\(index).pb"))
            result[value.name] = try ModelValue(serializedBytes: data, type: try #require(value.type))
        }
        return result
    }

    @Test("ZipMap's sequences of int64- and string-keyed maps match onnxruntime's Python API")
    func zipMap() async throws {
        let root = try Self.cases()
        defer { try? FileManager.default.removeItem(at: root) }
        let folder = root.appendingPathComponent("zipmap")
        let model = folder.appendingPathComponent("model.onnx")
        let graph = try Model(contentsOf: model).graph
        let backend = try loadedBackend()
        let session = try await backend.makeSession(model: model, device: try cpuDevice(backend), options: SessionOptions())
        #expect(session.outputs.map(\.typeDescription) == ["seq(map(int64,float))", "seq(map(string,float))"])
        let outputs = try session.run(values: try Self.read(folder, "input_", graph.runtimeInputs))
        let expected = try Self.read(folder, "output_", graph.outputs)
        for (name, want) in expected {
            let got = try #require(outputs[name])
            guard case .mapSequence(let maps) = got else { Issue.record("\(name) is \(got.summary)"); continue }
            #expect(maps.count == 2)
            #expect(got.compare(to: want, tolerance: .exact) == nil, "\(name): \(got.compare(to: want, tolerance: .exact) ?? "")")
        }
        // The oracle's own numbers, so a reader that lost every map would not pass by comparing nothing.
        guard case .mapSequence(let byID)? = outputs["by_id"] else { throw MapFailure("by_id is not a sequence of maps") }
        #expect(try byID[1].keys.scalars(as: Int64.self) == [10, 20, 30])
        #expect(try byID[1].values.scalars(as: Float.self) == [0.125, 0.0625, 0.8125])
    }

    @Test("A map input (DictVectorizer) matches onnxruntime's Python API; wrong key types are refused naming the input")
    func dictVectorizer() async throws {
        let root = try Self.cases()
        defer { try? FileManager.default.removeItem(at: root) }
        let folder = root.appendingPathComponent("dictvectorizer")
        let model = folder.appendingPathComponent("model.onnx")
        let graph = try Model(contentsOf: model).graph
        let backend = try loadedBackend()
        let session = try await backend.makeSession(model: model, device: try cpuDevice(backend), options: SessionOptions())
        #expect(session.inputs.map(\.kind) == [.map])
        #expect(session.inputs.first?.typeDescription == "map(int64,float)")
        let outputs = try session.run(values: try Self.read(folder, "input_", graph.runtimeInputs))
        let expected = try #require(try Self.read(folder, "output_", graph.outputs)["vector"]?.tensor)
        let vector = try #require(outputs["vector"]?.tensor)
        #expect(vector.compare(to: expected, tolerance: .exact).failure == nil)
        #expect(try vector.scalars(as: Float.self) == [1.5, 0, 0, 0.75])

        let stringKeys = try TensorMap(keys: Tensor(shape: [1], strings: [Data("a".utf8)]), values: Tensor(shape: [1], scalars: [1] as [Float]))
        #expect {
            try session.run(values: ["features": .map(stringKeys)])
        } throws: { error in
            (error as? BackendError)?.kind == .invalidInput && "\(error)".contains("'features'") && "\(error)".contains("string keys")
        }
        #expect(throws: BackendError.self) { try session.run(["features": expected]) }
    }

    @Test("A string-keyed map goes in and comes back out as onnxruntime's Python API returns it")
    func passthrough() async throws {
        let root = try Self.cases()
        defer { try? FileManager.default.removeItem(at: root) }
        let folder = root.appendingPathComponent("passthrough")
        let model = folder.appendingPathComponent("model.onnx")
        let graph = try Model(contentsOf: model).graph
        let backend = try loadedBackend()
        let session = try await backend.makeSession(model: model, device: try cpuDevice(backend), options: SessionOptions())
        #expect(session.outputs.map(\.typeDescription) == ["map(string,float)"])
        let outputs = try session.run(values: try Self.read(folder, "input_", graph.runtimeInputs))
        let expected = try #require(try Self.read(folder, "output_", graph.outputs)["labels"])
        guard case .map(let map)? = outputs["labels"] else { throw MapFailure("labels is \(outputs["labels"]?.summary ?? "missing")") }
        #expect(ModelValue.map(map).compare(to: expected, tolerance: .exact) == nil)
        #expect(map.keys.strings == [Data("cat".utf8), Data("owl".utf8)])  // ORT keeps a map's keys sorted
    }

    @Test("MapProto written and read back keeps keys, values and their types")
    func mapProtoRoundTrip() throws {
        let type = ValueType(.map(key: .string, value: .tensor(.float32, [])))
        let map = try TensorMap(
            keys: Tensor(shape: [2], strings: [Data("cat".utf8), Data("owl".utf8)]), values: Tensor(shape: [2], scalars: [0.5, -2] as [Float]))
        let bytes = try ModelValue.map(map).serializedBytes(type: type)
        #expect(try ModelValue(serializedBytes: bytes, type: type) == .map(map))
        // Keys packed as proto3 writers pack repeated integers read as the unpacked ones do.
        let intType = ValueType(.map(key: .int64, value: .tensor(.float32, [])))
        let numbered = try TensorMap(keys: Tensor(shape: [2], scalars: [5, 300] as [Int64]), values: map.values)
        let unpacked = try ModelValue.map(numbered).serializedBytes(type: intType)
        #expect(Array(unpacked.prefix(7)) == [0x10, 7, 0x18, 5, 0x18, 0xac, 0x02])
        let packed = Data([0x10, 7, 0x1a, 3, 5, 0xac, 0x02]) + unpacked.dropFirst(7)
        #expect(try ModelValue(serializedBytes: packed, type: intType) == .map(numbered))
        // key_type string with integer keys
        #expect(throws: ONNXModelError.self) { try ModelValue(serializedBytes: Data([0x10, 8, 0x18, 5]), type: intType) }
        #expect(throws: TensorError.self) { try TensorMap(keys: Tensor(shape: [1], scalars: [1] as [Float]), values: map.values) }
        #expect(throws: TensorError.self) { try TensorMap(keys: Tensor(shape: [1], scalars: [1] as [Int64]), values: map.values) }
    }

    struct MapFailure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}
