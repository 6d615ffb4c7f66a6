public import ONNXModel

/// Runs `tessera optimize`'s passes over a model: the graph rewrites and constant folding, in
/// rounds until a round changes nothing, then float16 conversion when asked for.
///
/// ```swift
/// let optimizer = try Optimizer(passes: nil, fold: true, float16: false)
/// let (optimized, steps) = try optimizer.optimize(model)
/// ```
public struct Optimizer: Sendable {
    /// Every pass, in the order a round runs them; `float16` runs once, after the rounds.
    public static let passNames = allPasses.map(\.name)
    /// The passes run when none are named: all but `float16`.
    public static let defaultPassNames = passNames.filter { $0 != Float16Conversion().name }

    private static let allPasses: [any OptimizationPass] = [
        IdentityElimination(), DropoutElimination(), NoOpElimination(), ConstantFolding(), ConvBatchNormFusion(),
        ConvScaleFusion(), TransposeReshapeMerging(), CommonSubexpressionElimination(), DeadNodeElimination(),
        Float16Conversion(),
    ]
    /// Rounds are capped: each pass only shrinks the graph, so this is a guard, not a limit reached in practice.
    private static let maximumRounds = 8

    private let passes: [any OptimizationPass]

    /// - Parameters:
    ///   - passes: pass names to run (in the canonical order whatever order they are given in);
    ///     `nil` for ``defaultPassNames``.
    ///   - fold: whether constant folding (`fold`) runs; `false` removes it even when named.
    ///   - float16: adds the `float16` conversion.
    /// - Throws: ``OptimizeError/unknownPass(_:known:)``.
    public init(passes: [String]? = nil, fold: Bool = true, float16: Bool = false) throws(OptimizeError) {
        var wanted = Set(passes ?? Self.defaultPassNames)
        if let unknown = wanted.subtracting(Self.passNames).sorted().first { throw .unknownPass(unknown, known: Self.passNames) }
        if !fold { wanted.remove(ConstantFolding().name) }
        if float16 { wanted.insert(Float16Conversion().name) }
        self.passes = Self.allPasses.filter { wanted.contains($0.name) }
    }

    /// The names of the passes this optimizer runs, in order.
    public var selectedPassNames: [String] { passes.map(\.name) }

    /// Optimizes `model`, returning the result and one step per selected pass (totals over rounds).
    /// - Throws: ``OptimizeError``; the input model is never modified.
    public func optimize(_ model: Model) throws(OptimizeError) -> (model: Model, steps: [ModelChangeReport.Step]) {
        do { try model.validate() } catch { throw .unusableModel(reason: "\(error)") }
        var current = model
        Self.fixInitializers(&current)
        var totals: [String: PassChanges] = [:]
        let repeated = passes.filter { $0.name != Float16Conversion().name }
        for _ in 0..<Self.maximumRounds {
            var changedThisRound = false
            for pass in repeated {
                let changes = try run(pass, on: &current)
                totals[pass.name, default: PassChanges()].merge(changes)
                changedThisRound = changedThisRound || changes.changed
            }
            if !changedThisRound { break }
        }
        for pass in passes where pass.name == Float16Conversion().name {
            totals[pass.name] = try run(pass, on: &current)
        }
        let steps = passes.map { pass in
            let changes = totals[pass.name] ?? PassChanges()
            return ModelChangeReport.Step(
                name: pass.name, summary: changes.summary, nodesRemoved: changes.nodesRemoved, nodesAdded: changes.nodesAdded,
                initializersChanged: changes.initializersChanged)
        }
        return (current, steps)
    }

    /// Initializers listed as graph inputs (IR < 4 defaults) become plain constants, as every
    /// Tessera engine already treats them (see ``Graph/runtimeInputs``): no caller feeds them, and
    /// without this nothing computed from a weight could fold or fuse. Any IR < 4 model with
    /// initializers becomes IR 4, the first version where an initializer need not be an input:
    /// folding adds such initializers, and leaves some unread, which IR 3 readers reject.
    private static func fixInitializers(_ model: inout Model) {
        guard model.irVersion < 4, !model.graph.initializers.isEmpty else { return }
        let names = Set(model.graph.initializers.map(\.name))
        model.graph.inputs.removeAll { names.contains($0.name) }
        model.irVersion = 4
    }

    /// Runs one pass and checks that the graph it leaves is still well formed.
    private func run(_ pass: any OptimizationPass, on model: inout Model) throws(OptimizeError) -> PassChanges {
        let changes = try pass.run(on: &model)
        if changes.changed {
            do { try model.validate() } catch { throw .brokenRewrite(pass: pass.name, reason: "\(error)") }
        }
        return changes
    }
}
