import ArgumentParser
import Foundation
import ONNXModel
import TensorCore

/// Everything `tessera inspect` prints, gathered once and rendered as text or JSON.
struct InspectReport: Encodable {
    struct Value: Encodable {
        var name: String
        var type: String
        var dims: [JSONDim]?
    }
    struct Producer: Encodable {
        var name: String
        var version: String
    }
    struct Opset: Encodable {
        var domain: String
        var version: Int64
    }
    struct Parameters: Encodable {
        var count: Int
        var bytes: Int
        var initializers: Int
        var byType: [String: Int]
    }
    struct Compute: Encodable {
        var inputShapes: [String: [JSONDim]]
        var totalMACs: JSONDim
        var byOperator: [String: JSONDim]
        var uncountedNodes: [String]
    }

    var schemaVersion = 1
    var file: String
    var fileBytes: Int
    var irVersion: Int64
    var producer: Producer
    var opsetImports: [Opset]
    var inputs: [Value]
    var outputs: [Value]
    var nodeCount: Int
    var operators: [String: Int]
    var parameters: Parameters
    var compute: Compute
    var shapeInferenceIssues: [String]

    init(url: URL, inputShapes: [String: [Dim]]) throws {
        let model = try Model(contentsOf: url)
        do { try model.validate() } catch { throw ModelFileError(path: url.path, error: error) }
        let declared = Set(model.graph.runtimeInputs.map(\.name))
        for name in inputShapes.keys.sorted() where !declared.contains(name) {
            throw ValidationError(
                "--input-shape: the model has no input '\(name)' (inputs: \(declared.sorted().joined(separator: ", ")))")
        }
        let types: InferredTypes
        do { types = try model.inferTypes(inputShapes: inputShapes) } catch {
            throw ModelFileError(path: url.path, error: error)
        }
        let statistics = ModelStatistics(model)
        let cost = ComputeCost(model: model, types: types)
        let attributes = try? FileManager.default.attributesOfItem(atPath: url.path)

        file = url.path
        fileBytes = (attributes?[.size] as? NSNumber)?.intValue ?? 0
        irVersion = model.irVersion
        producer = Producer(name: model.producerName, version: model.producerVersion)
        opsetImports = model.opsetImports.map { Opset(domain: $0.domain.isEmpty ? "ai.onnx" : $0.domain, version: $0.version) }
        inputs = model.graph.runtimeInputs.map { Self.value($0, inferred: types) }
        outputs = model.graph.outputs.map { Self.value($0, inferred: types) }
        nodeCount = statistics.nodeCount
        operators = statistics.operatorHistogram
        parameters = Parameters(
            count: statistics.parameterCount, bytes: statistics.parameterBytes, initializers: statistics.initializerCount,
            byType: Dictionary(uniqueKeysWithValues: statistics.parametersByType.map { ($0.key.description, $0.value) }))
        compute = Compute(
            inputShapes: inputShapes.mapValues { $0.map(JSONDim.init) }, totalMACs: JSONDim(cost.totalMACs),
            byOperator: cost.macsByOperator.mapValues(JSONDim.init), uncountedNodes: cost.uncountedNodes)
        shapeInferenceIssues = types.issues.map(\.description)
    }

    /// Declared type first; where the file leaves dims out, what inference found.
    private static func value(_ info: ValueInfo, inferred: InferredTypes) -> Value {
        let declared = info.type?.tensorType
        let tensor = declared?.dims == nil ? inferred.values[info.name]?.tensorType ?? declared : declared
        guard let tensor else { return Value(name: info.name, type: info.type?.description ?? "?", dims: nil) }
        return Value(name: info.name, type: tensor.elementType?.description ?? "?", dims: tensor.dims?.map(JSONDim.init))
    }

    func json() throws -> String { try JSONOutput.string(self) }
}

/// A dimension in JSON: a number when known, the symbol or formula as a string, `null` when unknown.
struct JSONDim: Encodable {
    var dim: Dim

    init(_ dim: Dim) { self.dim = dim }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let value = dim.value {
            try container.encode(value)
        } else if dim.isUnknown {
            try container.encodeNil()
        } else {
            try container.encode(dim.description)
        }
    }
}
