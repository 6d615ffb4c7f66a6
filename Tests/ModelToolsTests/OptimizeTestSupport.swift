import Foundation
import ModelTools
import ONNXModel
import Tessera
import Testing
import TesseraTestSupport

/// Small models built through the IR for the pass tests, and the check every optimize test
/// makes: the optimized model against the input model on ONNX Runtime and OpenVINO.
enum OptimizeTestSupport {
    /// The two libraries every comparison runs on.
    static let libraries = ["onnxruntime", "openvino"]

    /// A float32 tensor type.
    static func float(_ dims: [Int]) -> ValueType { .tensor(.float32, dims.map { .value($0) }) }

    /// Seeded uniform values in [-1, 1).
    static func random(_ shape: [Int], seed: UInt64, range: ClosedRange<Float> = -1...1) throws -> Tensor {
        var generator = SeededGenerator(seed: seed)
        let count = shape.reduce(1, *)
        return try Tensor(shape: shape, scalars: (0..<count).map { _ in Float.random(in: range, using: &generator) })
    }

    static func ints(_ values: [Int64]) throws -> Tensor { try Tensor(shape: [values.count], scalars: values) }

    /// A model around the given graph parts, opset 13.
    static func model(
        nodes: [Node], initializers: [String: Tensor], inputs: [(String, [Int])], outputs: [(String, [Int])], opset: Int64 = 13
    ) -> Model {
        let graph = Graph(
            name: "test", nodes: nodes,
            initializers: initializers.sorted { $0.key < $1.key }.map { StoredTensor(name: $0.key, tensor: $0.value) },
            inputs: inputs.map { ValueInfo(name: $0.0, type: float($0.1)) },
            outputs: outputs.map { ValueInfo(name: $0.0, type: float($0.1)) })
        return Model(graph: graph, opsetImports: [OpsetImport(domain: "", version: opset)], irVersion: 8)
    }

    /// How far the optimized model's outputs are from the input model's, as a fraction of each
    /// output's range (1 for image-shaped outputs), worst over outputs and libraries.
    struct Agreement {
        var worstRelativeError: Double
        var comparisons: Int
    }

    /// Writes both models into `folder`, runs them on both libraries with seeded random inputs
    /// (dynamic dims from `shapes`) and measures their agreement.
    static func compare(
        original: URL, optimized: URL, shapes: [String: [Int]] = [:], seed: UInt64 = 5
    ) async throws -> Agreement {
        let interface = try Model(contentsOf: original).graph.runtimeInputs
        var feeds: [String: Tensor] = [:]
        for (offset, input) in interface.enumerated() {
            let dims = try #require(input.type?.tensorType?.dims)
            let shape = shapes[input.name] ?? dims.map { $0.value ?? 1 }
            feeds[input.name] = try random(shape, seed: seed + UInt64(offset), range: 0...1)
        }
        // The libraries' own graph rewrites off, so each runs the graph as written (ONNX Runtime
        // would otherwise fuse Conv+Mul itself and hide a wrong fusion behind an equal one).
        let verifier = Verifier(
            backends: BackendCatalog.discover().backends, options: SessionOptions(threads: 2, graphOptimization: .disabled))
        let result = try await verifier.verify(
            models: [original, optimized], targets: libraries, inputs: feeds, tolerance: Verifier.defaultTolerance)
        let ours = result.comparisons.filter { $0.candidate.hasPrefix(optimized.lastPathComponent + "@") }
        #expect(ours.count == libraries.count, "one comparison per library")
        let worst = ours.flatMap(\.outputs).map { $0.maxAbsoluteError / max($0.peak, .leastNormalMagnitude) }.max() ?? .infinity
        return Agreement(worstRelativeError: worst, comparisons: ours.count)
    }

    /// Optimizes `model` with `optimizer`, writes both into `folder`, and compares them.
    static func optimizeAndCompare(
        _ model: Model, optimizer: Optimizer, in folder: URL, name: String = "model", shapes: [String: [Int]] = [:]
    ) async throws -> (optimized: Model, steps: [ModelChangeReport.Step], agreement: Agreement) {
        let (optimized, steps) = try optimizer.optimize(model)
        let original = folder.appendingPathComponent("\(name).onnx")
        let rewritten = folder.appendingPathComponent("\(name)-opt.onnx")
        try model.write(to: original, options: SaveOptions(externalData: .inline))
        try optimized.write(to: rewritten, options: SaveOptions(externalData: .inline))
        let agreement = try await compare(original: original, optimized: rewritten, shapes: shapes)
        return (optimized, steps, agreement)
    }

    /// Operator counts of a model's graph.
    static func operators(_ model: Model) -> [String: Int] { ModelChangeReport.Counts(model: model).byOperator }

    /// The step called `name`.
    static func step(_ name: String, in steps: [ModelChangeReport.Step]) throws -> ModelChangeReport.Step {
        try #require(steps.first { $0.name == name })
    }
}
