import Foundation
import TensorCore

/// RNN, GRU and LSTM: one recurrent layer, forward, reverse or both, over X of
/// [sequence, batch, input] (layout 1: [batch, sequence, input]), with the gates' weights W, R,
/// biases B, per-batch sequence lengths, initial states, LSTM peepholes, cell clipping and the
/// activations the node names.
struct RecurrentKernel {
    enum Cell: Sendable {
        case rnn, gru(linearBeforeReset: Bool), lstm(inputForget: Bool)

        /// Gates per step, in W's row order: RNN (i), GRU (z, r, h), LSTM (i, o, f, c).
        var gates: Int {
            switch self {
            case .rnn: 1
            case .gru: 3
            case .lstm: 4
            }
        }

        var defaultActivations: [String] {
            switch self {
            case .rnn: ["Tanh"]
            case .gru: ["Sigmoid", "Tanh"]
            case .lstm: ["Sigmoid", "Tanh", "Tanh"]
            }
        }
    }

    let cell: Cell
    let hidden: Int
    let directions: [Bool]  // true: reverse
    let activations: [[@Sendable (Float) -> Float]]  // per direction
    let clip: Float?
    let batchFirst: Bool

    init(_ node: NodeContext, cell: Cell) throws(ReferenceEngineError) {
        self.cell = cell
        guard let size = try node.int("hidden_size"), size > 0 else { throw node.invalid("attribute 'hidden_size' is required and must be positive") }
        hidden = size
        let direction = try node.choice("direction", default: "forward", in: ["forward", "reverse", "bidirectional"])
        directions = direction == "bidirectional" ? [false, true] : [direction == "reverse"]
        let names = try node.node.attribute("activations").map { attribute throws(ReferenceEngineError) -> [String] in
            guard case .strings(let values) = attribute.value else { throw node.invalid("attribute 'activations' must be STRINGS") }
            return values.map { String(decoding: $0, as: UTF8.self) }
        } ?? (directions.count == 2 ? cell.defaultActivations + cell.defaultActivations : cell.defaultActivations)
        let perDirection = cell.defaultActivations.count
        try node.require(names.count == perDirection * directions.count,
                         "\(names.count) activations given; \(perDirection) per direction expected")
        var alphas = try node.floats("activation_alpha") ?? []
        var betas = try node.floats("activation_beta") ?? []
        var functions: [@Sendable (Float) -> Float] = []
        for name in names {
            let alpha = alphas.isEmpty ? nil : alphas.removeFirst()
            let beta = betas.isEmpty ? nil : betas.removeFirst()
            guard let function = Self.activation(name, alpha: alpha, beta: beta) else {
                throw node.invalid("activation '\(name)' is not one ONNX defines for recurrent layers")
            }
            functions.append(function)
        }
        activations = (0..<directions.count).map { Array(functions[($0 * perDirection)..<(($0 + 1) * perDirection)]) }
        clip = try node.node.attribute("clip") == nil ? nil : node.float("clip", default: 0)
        batchFirst = try node.int("layout", default: 0) == 1
    }

    /// The activation functions of the recurrent operators' specification, with their defaults.
    static func activation(_ name: String, alpha: Float?, beta: Float?) -> (@Sendable (Float) -> Float)? {
        switch name.lowercased() {
        case "relu": return { max(0, $0) }
        case "tanh": return { tanh($0) }
        case "sigmoid": return { 1 / (1 + exp(-$0)) }
        case "affine": let (a, b) = (alpha ?? 1, beta ?? 0); return { a * $0 + b }
        case "leakyrelu": let a = alpha ?? 0.01; return { $0 >= 0 ? $0 : a * $0 }
        case "thresholdedrelu": let a = alpha ?? 1; return { $0 > a ? $0 : 0 }
        case "scaledtanh": let (a, b) = (alpha ?? 1, beta ?? 1); return { a * tanh(b * $0) }
        case "hardsigmoid": let (a, b) = (alpha ?? 0.2, beta ?? 0.5); return { max(0, min(1, a * $0 + b)) }
        case "elu": let a = alpha ?? 1; return { $0 >= 0 ? $0 : a * (exp($0) - 1) }
        case "softsign": return { $0 / (1 + abs($0)) }
        case "softplus": return { log(1 + exp($0)) }
        default: return nil
        }
    }

    func run(_ inputs: KernelInputs, outputCount: Int) throws(KernelError) -> [NDArray] {
        let xInput = try inputs.at(0)
        guard xInput.rank == 3 else { throw .shapeMismatch("X must be 3D, got \(xInput.shape)") }
        let x = try xInput.floatValues()
        let (length, batch, inputSize) = batchFirst ? (xInput.shape[1], xInput.shape[0], xInput.shape[2])
                                                    : (xInput.shape[0], xInput.shape[1], xInput.shape[2])
        let gates = cell.gates
        let dirs = directions.count
        let w = try inputs.at(1).floatValues()
        let r = try inputs.at(2).floatValues()
        guard w.count == dirs * gates * hidden * inputSize, r.count == dirs * gates * hidden * hidden else {
            throw .shapeMismatch("W and R must be [\(dirs), \(gates * hidden), \(inputSize)] and [\(dirs), \(gates * hidden), \(hidden)]")
        }
        let b = try inputs.optional(3)?.floatValues() ?? [Float](repeating: 0, count: dirs * 2 * gates * hidden)
        let lengths = try inputs.optional(4)?.intValues().map { Int($0) } ?? Array(repeating: length, count: batch)
        let initialH = try inputs.optional(5)?.floatValues() ?? [Float](repeating: 0, count: dirs * batch * hidden)
        var initialC: [Float] = []
        var peepholes: [Float] = []
        if case .lstm = cell {
            initialC = try inputs.optional(6)?.floatValues() ?? [Float](repeating: 0, count: dirs * batch * hidden)
            peepholes = try inputs.optional(7)?.floatValues() ?? [Float](repeating: 0, count: dirs * 3 * hidden)
        }
        guard b.count == dirs * 2 * gates * hidden, lengths.count == batch, initialH.count == dirs * batch * hidden else {
            throw .shapeMismatch("B, sequence_lens or initial_h does not fit \(dirs) directions, batch \(batch), hidden \(hidden)")
        }
        var y = [Float](repeating: 0, count: length * dirs * batch * hidden)
        var lastH = [Float](repeating: 0, count: dirs * batch * hidden)
        var lastC = [Float](repeating: 0, count: dirs * batch * hidden)
        for d in 0..<dirs {
            let f = activations[d]
            let wd = (d * gates * hidden * inputSize, d * gates * hidden * hidden, d * 2 * gates * hidden)
            for n in 0..<batch {
                var h = Array(initialH[((d * batch + n) * hidden)..<((d * batch + n + 1) * hidden)])
                var c = initialC.isEmpty ? [] : Array(initialC[((d * batch + n) * hidden)..<((d * batch + n + 1) * hidden)])
                let steps = min(lengths[n], length)
                for step in 0..<steps {
                    let t = directions[d] ? steps - 1 - step : step
                    let xBase = batchFirst ? (n * length + t) * inputSize : (t * batch + n) * inputSize
                    // Pre-activations per gate row: X·Wᵀ + Wb, and separately H·Rᵀ + Rb (GRU needs them apart).
                    var fromX = [Float](repeating: 0, count: gates * hidden)
                    var fromH = [Float](repeating: 0, count: gates * hidden)
                    for row in 0..<(gates * hidden) {
                        var sx = b[wd.2 + row]
                        for k in 0..<inputSize { sx += x[xBase + k] * w[wd.0 + row * inputSize + k] }
                        var sh = b[wd.2 + gates * hidden + row]
                        for k in 0..<hidden { sh += h[k] * r[wd.1 + row * hidden + k] }
                        fromX[row] = sx
                        fromH[row] = sh
                    }
                    let clipped: (Float) -> Float = { value in clip.map { min(max(value, -$0), $0) } ?? value }
                    switch cell {
                    case .rnn:
                        h = (0..<hidden).map { f[0](clipped(fromX[$0] + fromH[$0])) }
                    case .gru(let linearBeforeReset):
                        let reset = (0..<hidden).map { f[0](clipped(fromX[hidden + $0] + fromH[hidden + $0])) }
                        var next = h
                        for k in 0..<hidden {
                            let z = f[0](clipped(fromX[k] + fromH[k]))
                            var candidateInput = fromX[2 * hidden + k]
                            if linearBeforeReset {
                                candidateInput += reset[k] * fromH[2 * hidden + k]
                            } else {
                                // (r ⊙ H)·Rhᵀ + Rbh: the reset applies before the recurrent product.
                                var sum = b[wd.2 + gates * hidden + 2 * hidden + k]
                                for j in 0..<hidden { sum += reset[j] * h[j] * r[wd.1 + (2 * hidden + k) * hidden + j] }
                                candidateInput += sum
                            }
                            next[k] = (1 - z) * f[1](clipped(candidateInput)) + z * h[k]
                        }
                        h = next
                    case .lstm(let inputForget):
                        let p = d * 3 * hidden
                        for k in 0..<hidden {
                            let i = f[0](clipped(fromX[k] + fromH[k] + peepholes[p + k] * c[k]))
                            let forget = inputForget ? 1 - i : f[0](clipped(fromX[2 * hidden + k] + fromH[2 * hidden + k] + peepholes[p + 2 * hidden + k] * c[k]))
                            let candidate = f[1](clipped(fromX[3 * hidden + k] + fromH[3 * hidden + k]))
                            c[k] = forget * c[k] + i * candidate
                            let o = f[0](clipped(fromX[hidden + k] + fromH[hidden + k] + peepholes[p + hidden + k] * c[k]))
                            h[k] = o * f[2](c[k])
                        }
                    }
                    for k in 0..<hidden {
                        let index = batchFirst ? (((n * length + t) * dirs + d) * hidden + k) : (((t * dirs + d) * batch + n) * hidden + k)
                        y[index] = h[k]
                    }
                }
                for k in 0..<hidden {
                    let index = batchFirst ? ((n * dirs + d) * hidden + k) : ((d * batch + n) * hidden + k)
                    lastH[index] = h[k]
                    if !c.isEmpty { lastC[index] = c[k] }
                }
            }
        }
        let type = xInput.dataType
        let yShape = batchFirst ? [batch, length, dirs, hidden] : [length, dirs, batch, hidden]
        let stateShape = batchFirst ? [batch, dirs, hidden] : [dirs, batch, hidden]
        var outputs = [NDArray(floats: y, shape: yShape, type: type), NDArray(floats: lastH, shape: stateShape, type: type)]
        if case .lstm = cell { outputs.append(NDArray(floats: lastC, shape: stateShape, type: type)) }
        return Array(outputs.prefix(max(1, outputCount)))
    }
}

extension OperatorRegistry {
    mutating func registerRecurrent() {
        register("RNN", since: 7) { node throws(ReferenceEngineError) in
            let kernel = try RecurrentKernel(node, cell: .rnn)
            let count = node.outputCount
            return { inputs, _ in try kernel.run(inputs, outputCount: count) }
        }
        register("GRU", since: 7) { node throws(ReferenceEngineError) in
            let kernel = try RecurrentKernel(node, cell: .gru(linearBeforeReset: try node.int("linear_before_reset", default: 0) != 0))
            let count = node.outputCount
            return { inputs, _ in try kernel.run(inputs, outputCount: count) }
        }
        register("LSTM", since: 7) { node throws(ReferenceEngineError) in
            let kernel = try RecurrentKernel(node, cell: .lstm(inputForget: try node.int("input_forget", default: 0) != 0))
            let count = node.outputCount
            return { inputs, _ in try kernel.run(inputs, outputCount: count) }
        }
    }
}
