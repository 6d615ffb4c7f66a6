import TensorCore

/// Normalizations whose extra outputs have shapes of their own.
enum NormalizationOps {
    /// `BatchNormalization(X, scale, B, mean, var)`: Y like X; the optional statistics outputs
    /// (running mean/var since opset 14, mean/var/saved mean/saved var before) have one value per
    /// channel.
    static func batchNormalization(_ context: inout InferenceContext) throws -> [ValueType?] {
        var channels = Dim.unknown
        if let x = context.dims(0), x.count >= 2 { channels = x[1] }
        for index in 1...4 where context.has(index) {
            guard let dims = context.dims(index) else { continue }
            // Before opset 9, spatial=0 gives per-location statistics of rank > 1.
            guard dims.count == 1 else {
                if context.opset >= 9 { throw context.invalid("input \(index) has rank \(dims.count), expected 1") }
                continue
            }
            guard let merged = channels.unified(with: dims[0]) else {
                throw context.invalid("input \(index) has \(dims[0]) values for \(channels) channels")
            }
            channels = merged
        }
        var outputs: [ValueType?] = [context.type(0)]
        for position in 1..<max(context.node.outputs.count, 1) {
            // Opset 15 lets the statistics have their own type: output 1 follows mean, 2 follows var.
            let source = context.opset >= 15 ? min(position + 2, 4) : 0
            outputs.append(.tensor(context.element(source) ?? context.element(0), [channels]))
        }
        return outputs
    }

    /// `LayerNormalization(X, scale, B)`: Y like X; Mean and InvStdDev keep the dims before `axis`
    /// and are 1 from `axis` on, in the `stash_type` (float by default).
    static func layerNormalization(_ context: inout InferenceContext) throws -> [ValueType?] {
        let stash = try context.dataType("stash_type") ?? .float32
        guard let x = context.dims(0) else {
            return [context.type(0), .tensor(stash, nil), .tensor(stash, nil)]
        }
        let axis = try context.axis(try context.int("axis", default: -1), rank: x.count)
        let reduced = Array(x.prefix(axis)) + Array(repeating: Dim.value(1), count: x.count - axis)
        return [context.type(0), .tensor(stash, reduced), .tensor(stash, reduced)]
    }

    /// `GroupNormalization(X, scale, bias)`: Y like X, with the channel count divisible by `num_groups`.
    static func groupNormalization(_ context: inout InferenceContext) throws -> [ValueType?] {
        guard let groups = try context.int("num_groups") else { throw context.invalid("attribute 'num_groups' is missing") }
        guard groups >= 1 else { throw context.invalid("attribute 'num_groups' is \(groups), expected at least 1") }
        if let x = context.dims(0), x.count >= 2, let channels = x[1].value, channels % groups != 0 {
            throw context.invalid("\(channels) channels are not divisible into \(groups) groups")
        }
        return [context.type(0)]
    }
}

/// Recurrent layers: RNN, GRU, LSTM.
enum RecurrentOps {
    /// `X [seq, batch, input]` (or `[batch, seq, input]` with `layout` 1, opset 14+) gives
    /// `Y [seq, directions, batch, hidden]`, `Y_h` (and LSTM's `Y_c`) `[directions, batch, hidden]`,
    /// batch-first under layout 1.
    static func recurrent(_ context: inout InferenceContext) throws -> [ValueType?] {
        let element = context.element(0)
        let direction = try context.string("direction") ?? "forward"
        guard ["forward", "reverse", "bidirectional"].contains(direction) else {
            throw context.invalid("attribute 'direction' is '\(direction)'")
        }
        let directions = Dim.value(direction == "bidirectional" ? 2 : 1)
        var hidden = Dim.unknown
        if let size = try context.int("hidden_size") {
            guard size >= 1 else { throw context.invalid("attribute 'hidden_size' is \(size)") }
            hidden = .value(size)
        } else if let r = context.dims(2), r.count == 3 {
            hidden = r[2]
        }
        let layout = context.opset >= 14 ? try context.int("layout", default: 0) : 0
        guard layout == 0 || layout == 1 else { throw context.invalid("attribute 'layout' is \(layout)") }
        guard let x = try context.requireRank(0, 3, what: "X") else {
            return Array(repeating: .tensor(element, nil), count: 3)
        }
        let (sequence, batch) = layout == 0 ? (x[0], x[1]) : (x[1], x[0])
        let y: [Dim] = layout == 0 ? [sequence, directions, batch, hidden] : [batch, sequence, directions, hidden]
        let state: [Dim] = layout == 0 ? [directions, batch, hidden] : [batch, directions, hidden]
        return [.tensor(element, y), .tensor(element, state), .tensor(element, state)]
    }
}
