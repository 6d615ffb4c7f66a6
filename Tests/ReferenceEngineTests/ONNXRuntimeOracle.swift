import Foundation
import ONNXModel
import Testing
import TensorCore
import TesseraTestSupport

/// ONNX Runtime, through its Python package (Tests/Oracles/ort_run.py), as the oracle the engine's
/// kernel tests compare with.
enum ONNXRuntimeOracle {
    /// Seeded uniform values in `range`.
    static func random(_ shape: [Int], seed: UInt64, range: ClosedRange<Float> = -1...1) throws -> Tensor {
        var generator = SeededGenerator(seed: seed)
        return try Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in Float.random(in: range, using: &generator) })
    }

    /// Seeded random feeds for `model`'s inputs (at `shapes` where given, else their declared
    /// shapes, unknown dims as 1) and ONNX Runtime's outputs on them, by name in its output order.
    static func run(
        _ model: Model, shapes: [String: [Int]] = [:], range: ClosedRange<Float> = -1...1
    ) throws -> (feeds: [String: Tensor], outputs: [(name: String, tensor: Tensor)]) {
        let folder = try Fixtures.temporaryDirectory("ort-oracle")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("model.onnx")
        try model.write(to: file, options: SaveOptions(externalData: .inline))
        let inputsFolder = folder.appendingPathComponent("inputs")
        try FileManager.default.createDirectory(at: inputsFolder, withIntermediateDirectories: true)
        var feeds: [String: Tensor] = [:]
        for (index, input) in model.graph.runtimeInputs.enumerated() {
            let shape = try shapes[input.name] ?? #require(input.type?.tensorType?.dims).map { $0.value ?? 1 }
            let tensor = try random(shape, seed: 100 + UInt64(index), range: range)
            feeds[input.name] = tensor
            try StoredTensor(name: input.name, tensor: tensor).serializedBytes()
                .write(to: inputsFolder.appendingPathComponent("input_\(index).pb"))
        }
        let ort = folder.appendingPathComponent("ort")
        let names = try runPython("Tests/Oracles/ort_run.py", [file.path, inputsFolder.path, ort.path])
            .split(separator: "\n").map(String.init)
        let outputs = try names.enumerated().map { index, name in
            (name, try StoredTensor(serializedBytes: Data(contentsOf: ort.appendingPathComponent("output_\(index).pb"))).tensor)
        }
        return (feeds, outputs)
    }
}
