import InferenceRuntime
public import ONNXModel
public import TensorCore

/// Evaluates graphs whose every value is known ahead of time, with the engine's kernels: the entry
/// point that constant folding (`tessera optimize`) uses.
///
/// ```swift
/// let evaluator = try ConstantEvaluator()
/// if evaluator.canFold(node, opset: 17) { let values = try evaluator.evaluate(smallModel) }
/// ```
public struct ConstantEvaluator: Sendable {
    private let registry: OperatorRegistry
    private let schemas: OperatorSchemas

    /// An evaluator over the standard operator registry.
    /// - Throws: when the bundled operator-schema table cannot be read.
    public init() throws {
        registry = .standard
        schemas = try OperatorSchemas.standard()
    }

    /// Whether `node` may be evaluated ahead of time at `opset`: the engine implements it at that
    /// opset and its result depends on its inputs only (random generators do not qualify).
    public func canFold(_ node: Node, opset: Int) -> Bool {
        let domain = OpsetImport.canonicalDomain(node.domain)
        guard let schema = schemas.version(of: node.opType, domain: domain, opset: opset),
            let registration = registry.registration(for: OperatorKey(domain: domain, type: node.opType, sinceVersion: schema.since))
        else { return false }
        return registration.foldable
    }

    /// Runs `model`, which must take no runtime inputs, on one thread and returns its graph outputs
    /// in the types the engine computed them in (float64 is computed in float32; see ``NDArray``).
    /// - Throws: ``ReferenceEngineError`` naming the node that cannot be compiled or run.
    public func evaluate(_ model: Model) throws(ReferenceEngineError) -> [String: Tensor] {
        let plan = try ExecutionPlan(model: model, registry: registry, schemas: schemas)
        var tensors: [String: Tensor] = [:]
        for (name, value) in try plan.run([:], threads: 1) {
            do { tensors[name] = try value.tensor().tensor() } catch {
                throw .runFailed(node: "(graph output '\(name)')", reason: "\(error)")
            }
        }
        return tensors
    }
}
