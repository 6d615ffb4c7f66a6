import Foundation
import TensorCore

/// Matrix products: MatMul (and its integer and quantized forms), Gemm, Einsum, Det.
enum MatMulOps {
    static func matMul(_ context: inout InferenceContext) throws -> [ValueType?] {
        [.tensor(context.element(0), try product(context, 0, 1))]
    }

    /// `MatMulInteger(A, B, a_zero_point, b_zero_point)`: int32 accumulators.
    static func matMulInteger(_ context: inout InferenceContext) throws -> [ValueType?] {
        [.tensor(.int32, try product(context, 0, 1))]
    }

    /// `QLinearMatMul(a, a_scale, a_zp, b, b_scale, b_zp, y_scale, y_zp)`: the output zero point's type.
    static func qlinearMatMul(_ context: inout InferenceContext) throws -> [ValueType?] {
        [.tensor(context.element(7) ?? context.element(0), try product(context, 0, 3))]
    }

    /// Numpy `matmul` shapes: 1-D operands gain (and then lose) a unit dim, batch dims broadcast.
    private static func product(_ context: InferenceContext, _ left: Int, _ right: Int) throws -> [Dim]? {
        guard let a = context.dims(left), let b = context.dims(right) else { return nil }
        guard !a.isEmpty, !b.isEmpty else { throw context.invalid("matrix product of a scalar") }
        let a2 = a.count == 1 ? [.value(1)] + a : a
        let b2 = b.count == 1 ? b + [.value(1)] : b
        let k1 = a2[a2.count - 1], k2 = b2[b2.count - 2]
        guard k1.unified(with: k2) != nil else {
            throw context.invalid("inner dimensions differ: \(k1) and \(k2)")
        }
        var dims = try Broadcasting.shape([Array(a2.dropLast(2)), Array(b2.dropLast(2))], in: context)
        if a.count > 1 { dims.append(a2[a2.count - 2]) }
        if b.count > 1 { dims.append(b2[b2.count - 1]) }
        return dims
    }

    /// `Gemm(A, B, C)`: `[M, K] · [K, N] + C → [M, N]`, with `transA`/`transB`; C broadcasts to the result.
    static func gemm(_ context: inout InferenceContext) throws -> [ValueType?] {
        let element = context.element(0)
        guard let a = try context.requireRank(0, 2, what: "A"), let b = try context.requireRank(1, 2, what: "B") else {
            return [.tensor(element, [.unknown, .unknown])]
        }
        let transposeA = try context.int("transA", default: 0) != 0
        let transposeB = try context.int("transB", default: 0) != 0
        let (m, ka) = transposeA ? (a[1], a[0]) : (a[0], a[1])
        let (kb, n) = transposeB ? (b[1], b[0]) : (b[0], b[1])
        guard ka.unified(with: kb) != nil else { throw context.invalid("inner dimensions differ: \(ka) and \(kb)") }
        if context.has(2), let c = context.dims(2) {
            if try context.opset < 7 && context.int("broadcast", default: 0) == 0 {
                // Before opset 7, C must have the full [M, N] shape unless `broadcast` is set.
                if c.count != 2 || c[0].unified(with: m) == nil || c[1].unified(with: n) == nil {
                    throw context.invalid("C has shape \(c), expected [\(m), \(n)]")
                }
            } else {
                try Broadcasting.checkUnidirectional(c, to: [m, n], what: "C", in: context)
            }
        }
        return [.tensor(element, [m, n])]
    }

    /// `Det`: `[*, M, M] → [*]`.
    static func det(_ context: inout InferenceContext) throws -> [ValueType?] {
        let element = context.element(0)
        guard let x = context.dims(0) else { return [.tensor(element, nil)] }
        guard x.count >= 2, x[x.count - 1].unified(with: x[x.count - 2]) != nil else {
            throw context.invalid("input of shape \(x) is not a batch of square matrices")
        }
        return [.tensor(element, Array(x.dropLast(2)))]
    }

    /// `Einsum`: dims follow the letters of the equation; `...` dims broadcast across operands.
    static func einsum(_ context: inout InferenceContext) throws -> [ValueType?] {
        let element = context.element(0)
        guard let equation = try context.string("equation") else { throw context.invalid("attribute 'equation' is missing") }
        let text = equation.filter { !$0.isWhitespace }
        let sides = text.components(separatedBy: "->")
        guard sides.count <= 2 else { throw context.invalid("equation '\(equation)' has more than one '->'") }
        let terms = sides[0].components(separatedBy: ",")
        guard terms.count == context.inputCount else {
            throw context.invalid("equation '\(equation)' has \(terms.count) operands for \(context.inputCount) inputs")
        }
        var letters: [Character: Dim] = [:]
        var counts: [Character: Int] = [:]
        var ellipsisShapes: [[Dim]] = []
        for (index, term) in terms.enumerated() {
            guard let dims = context.dims(index) else { return [.tensor(element, nil)] }
            let parsed = try parse(term, context: context)
            let named = parsed.before.count + parsed.after.count
            guard parsed.hasEllipsis ? dims.count >= named : dims.count == named else {
                throw context.invalid("operand \(index) has rank \(dims.count), the equation term '\(term)' needs \(named)")
            }
            let middle = dims.count - named
            let bound = Array(zip(parsed.before, dims)) + Array(zip(parsed.after, dims.suffix(parsed.after.count)))
            for (letter, dim) in bound {
                counts[letter, default: 0] += 1
                guard let merged = (letters[letter] ?? dim).unified(with: dim) else {
                    throw context.invalid("subscript '\(letter)' is both \(letters[letter] ?? dim) and \(dim)")
                }
                letters[letter] = merged
            }
            if parsed.hasEllipsis { ellipsisShapes.append(Array(dims[parsed.before.count..<(parsed.before.count + middle)])) }
        }
        let ellipsis = try Broadcasting.shape(ellipsisShapes, in: context)
        guard sides.count == 2 else {
            // Implicit output: the broadcast dims, then letters used once, alphabetically.
            let once = counts.filter { $0.value == 1 }.keys.sorted()
            return [.tensor(element, ellipsis + once.map { letters[$0] ?? .unknown })]
        }
        let output = try parse(sides[1], context: context)
        var dims: [Dim] = []
        for letter in output.before { dims.append(try lookup(letter, letters, context)) }
        if output.hasEllipsis { dims += ellipsis }
        for letter in output.after { dims.append(try lookup(letter, letters, context)) }
        return [.tensor(element, dims)]
    }

    private static func lookup(_ letter: Character, _ letters: [Character: Dim], _ context: InferenceContext) throws -> Dim {
        guard let dim = letters[letter] else { throw context.invalid("output subscript '\(letter)' is not in any operand") }
        return dim
    }

    /// One equation term: the letters before and after an optional `...`.
    private static func parse(_ term: String, context: InferenceContext) throws -> (
        before: [Character], after: [Character], hasEllipsis: Bool
    ) {
        let pieces = term.components(separatedBy: "...")
        guard pieces.count <= 2 else { throw context.invalid("equation term '\(term)' has more than one '...'") }
        for piece in pieces where !piece.allSatisfy({ $0.isLetter && $0.isASCII }) {
            throw context.invalid("equation term '\(term)' has a character other than a letter")
        }
        return (Array(pieces[0]), pieces.count == 2 ? Array(pieces[1]) : [], pieces.count == 2)
    }
}
