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
        let untyped = model.graph.outputs.filter { $0.type?.tensorType?.elementType == nil }
        let inferred = untyped.isEmpty ? [:] : (try? model.inferTypes())?.values ?? [:]
        outputs = try model.graph.outputs.map { (output) throws(ReferenceEngineError) in
            guard output.type?.tensorType?.elementType == nil, let type = inferred[output.name] else { return try Self.describe(output) }
            return try Self.describe(ValueInfo(name: output.name, type: type))
        }
    }

    public func run(_ given: [String: Tensor]) throws -> [String: Tensor] {
        let expected = Set(inputs.map(\.name))
        if let unknown = given.keys.sorted().first(where: { !expected.contains($0) }) {
            throw wrap(.invalidInput(name: unknown, reason: "is not an input of this model"))
        }
        var feeds: [String: NDArray] = [:]
        for description in inputs {
            guard let tensor = given[description.name] else {
                throw wrap(.invalidInput(name: description.name, reason: "is missing"))
            }
            feeds[description.name] = try convert(tensor, to: description)
        }
        let results: [String: NDArray]
        do { results = try plan.run(feeds, threads: threads) } catch { throw wrap(error) }
        var tensors: [String: Tensor] = [:]
        for description in outputs {
            guard var value = results[description.name] else { continue }
            // An output declared float16 or float32 leaves in its declared type.
            if description.dataType != value.dataType, description.dataType.isEngineFloat, value.isFloat {
                value.dataType = description.dataType
            }
            do { tensors[description.name] = try value.tensor() } catch {
                throw wrap(.runFailed(node: "(graph output '\(description.name)')", reason: "\(error)"))
            }
        }
        return tensors
    }

    /// Checks a run input's type against the graph and converts it; float16 and float32 are
    /// exchangeable. Shapes are left to the kernels, whose errors name the node that cannot take them.
    private func convert(_ tensor: Tensor, to description: TensorDescription) throws(BackendError) -> NDArray {
        var value: NDArray
        do { value = try NDArray(tensor) } catch {
            throw wrap(.invalidInput(name: description.name, reason: "is \(tensor.dataType): \(error)"))
        }
        if value.dataType != description.dataType {
            let floats: Set<DataType> = [.float32, .float16]
            guard floats.contains(value.dataType), floats.contains(description.dataType) else {
                throw wrap(.invalidInput(name: description.name, reason: "is \(tensor.dataType), the model takes \(description.dataType)"))
            }
            value.dataType = description.dataType
        }
        return value
    }

    private func wrap(_ error: ReferenceEngineError) -> BackendError {
        let kind: BackendError.Kind = if case .invalidInput = error { .invalidInput } else { .run }
        return BackendError(kind, backend: .reference, call: "run", message: "\(error)")
    }

    private static func describe(_ value: ValueInfo) throws(ReferenceEngineError) -> TensorDescription {
        guard let tensorType = value.type?.tensorType, let type = tensorType.elementType else {
            throw .unreadableModel(reason: "'\(value.name)' is not a typed tensor; the reference engine exchanges tensors only")
        }
        return TensorDescription(name: value.name, dataType: type, dims: (tensorType.dims ?? []).map(\.value))
    }
}
