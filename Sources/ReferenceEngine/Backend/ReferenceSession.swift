import Foundation
public import InferenceRuntime
public import ONNXModel
public import TensorCore

/// A model compiled by the reference engine, ready to run. Immutable; runs may overlap, each
/// with its own buffers.
public final class ReferenceSession: Session {
    public let device: Device
    public let inputs: [TensorDescription]
    public let outputs: [TensorDescription]
    let plan: ExecutionPlan
    let threads: Int

    /// Reads and compiles the model at `url`.
    /// - Throws: ``ReferenceEngineError``, or the model file's own load error.
    convenience init(contentsOf url: URL, device: Device, options: SessionOptions, registry: OperatorRegistry) throws {
        try self.init(model: Model(contentsOf: url), device: device, options: options, registry: registry)
    }

    /// Compiles `model` for `device`.
    /// - Throws: ``ReferenceEngineError`` naming the first node the engine cannot run.
    public convenience init(model: Model, device: Device, options: SessionOptions, registry: OperatorRegistry = .standard) throws {
        try self.init(model: model, device: device, options: options, registry: registry, winogradTile: WinogradConv.defaultTile)
    }

    /// Compiles `model` with 3×3 convolutions on ``WinogradConv`` with `winogradTile`, or on the
    /// direct kernel when `nil` (tests compare the kernels).
    init(model: Model, device: Device, options: SessionOptions, registry: OperatorRegistry, winogradTile: Int?) throws {
        self.device = device
        threads = options.threads ?? ProcessInfo.processInfo.activeProcessorCount
        let schemas = try OperatorSchemas.standard()
        plan = try ExecutionPlan(model: model, registry: registry, schemas: schemas, winogradTile: winogradTile)
        inputs = try model.graph.runtimeInputs.map(Self.describe)
        // Some exporters write an output's name only; shape inference types it, as ONNX Runtime does.
        let untyped = model.graph.outputs.filter { (try? Self.describe($0)) == nil }
        let inferred = untyped.isEmpty ? [:] : (try? model.inferTypes())?.values ?? [:]
        outputs = try model.graph.outputs.map { (output) throws(ReferenceEngineError) in
            if let described = try? Self.describe(output) { return described }
            guard let type = inferred[output.name] else { return try Self.describe(output) }
            return try Self.describe(ValueInfo(name: output.name, type: type))
        }
    }

    /// Runs tensors in and out; a model with sequence or optional outputs needs ``run(values:)``.
    public func run(_ given: [String: Tensor]) throws -> [String: Tensor] {
        var tensors: [String: Tensor] = [:]
        for (name, value) in try run(values: given.mapValues(ModelValue.tensor)) {
            guard let tensor = value.tensor else {
                throw wrap(.runFailed(node: "(graph output '\(name)')", reason: "is \(value.summary), not a tensor; run it with values"))
            }
            tensors[name] = tensor
        }
        return tensors
    }

    public func run(values given: [String: ModelValue]) throws -> [String: ModelValue] {
        let expected = Set(inputs.map(\.name))
        if let unknown = given.keys.sorted().first(where: { !expected.contains($0) }) {
            throw wrap(.invalidInput(name: unknown, reason: "is not an input of this model"))
        }
        var feeds: [String: EngineValue] = [:]
        for description in inputs {
            feeds[description.name] = try convert(given[description.name], to: description)
        }
        let results: [String: EngineValue]
        do { results = try plan.run(feeds, threads: threads) } catch { throw wrap(error) }
        var values: [String: ModelValue] = [:]
        for description in outputs {
            guard let value = results[description.name] else { continue }
            do { values[description.name] = try Self.export(value, as: description) } catch {
                throw wrap(.runFailed(node: "(graph output '\(description.name)')", reason: "\(error)"))
            }
        }
        return values
    }

    /// Checks a run input's kind against the graph and converts it; an optional input left out is absent.
    private func convert(_ value: ModelValue?, to description: TensorDescription) throws(BackendError) -> EngineValue {
        let name = description.name
        switch value {
        case nil where description.kind.isOptional, .absent? where description.kind.isOptional:
            return .absent
        case nil:
            throw wrap(.invalidInput(name: name, reason: "is missing"))
        case .tensor(let tensor)? where !description.kind.isSequence:
            return .tensor(try convert(tensor, to: description, what: ""))
        case .sequence(let sequence)? where description.kind.isSequence:
            let elements = try sequence.elements.enumerated().map { (index, tensor) throws(BackendError) in
                try convert(tensor, to: description, what: "element \(index) ")
            }
            do {
                return .sequence(try SequenceValue(elementType: elements.first?.dataType ?? description.dataType, elements: elements))
            } catch {
                throw wrap(.invalidInput(name: name, reason: "\(error)"))
            }
        case let other?:
            throw wrap(.invalidInput(name: name, reason: "is \(other.summary), the model takes \(description.typeDescription)"))
        }
    }

    /// Checks a tensor's element type against the graph and converts it; float16 and float32 are
    /// exchangeable. Shapes are left to the kernels, whose errors name the node that cannot take them.
    private func convert(_ tensor: Tensor, to description: TensorDescription, what: String) throws(BackendError) -> NDArray {
        var value: NDArray
        do { value = try NDArray(tensor) } catch {
            throw wrap(.invalidInput(name: description.name, reason: "\(what)is \(tensor.dataType): \(error)"))
        }
        if value.dataType != description.dataType {
            let floats: Set<DataType> = [.float32, .float16]
            guard floats.contains(value.dataType), floats.contains(description.dataType) else {
                throw wrap(.invalidInput(
                    name: description.name, reason: "\(what)is \(tensor.dataType), the model takes \(description.dataType)"))
            }
            value.dataType = description.dataType
        }
        return value
    }

    /// An output as the session hands it over; one declared float16 or float32 leaves in its declared type.
    private static func export(_ value: EngineValue, as description: TensorDescription) throws -> ModelValue {
        func declared(_ array: NDArray) throws -> Tensor {
            var array = array
            if description.dataType != array.dataType, description.dataType.isEngineFloat, array.isFloat {
                array.dataType = description.dataType
            }
            return try array.tensor()
        }
        switch value {
        case .tensor(let array): return .tensor(try declared(array))
        case .sequence(let sequence):
            let elements = try sequence.elements.map(declared)
            return .sequence(try TensorSequence(elementType: elements.first?.dataType ?? sequence.elementType, elements: elements))
        case .absent: return .absent
        }
    }

    private func wrap(_ error: ReferenceEngineError) -> BackendError {
        let kind: BackendError.Kind = if case .invalidInput = error { .invalidInput } else { .run }
        return BackendError(kind, backend: .reference, call: "run", message: "\(error)")
    }

    private static func describe(_ value: ValueInfo) throws(ReferenceEngineError) -> TensorDescription {
        guard let description = TensorDescription(value), !description.kind.isMap else {
            throw .unreadableModel(reason: """
                '\(value.name)' is \(value.type?.description ?? "untyped"); the reference engine exchanges typed tensors, \
                sequences of them and optionals of those, not maps
                """)
        }
        return description
    }
}
