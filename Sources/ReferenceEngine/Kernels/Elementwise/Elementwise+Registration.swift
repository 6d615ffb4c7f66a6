import Foundation
import TensorCore

extension OperatorRegistry {
    /// Unary math, activations, binary arithmetic, comparisons and logic.
    mutating func registerElementwise() {
        registerUnaryMath()
        registerActivations()
        registerBinary()
        registerLogical()
        registerBitwise()
    }

    private mutating func registerUnaryMath() {
        typealias K = ElementwiseKernels
        let floatOnly: [(String, @Sendable (Float) -> Float)] = [
            ("Exp", { Foundation.exp($0) }), ("Log", { Foundation.log($0) }), ("Sqrt", { $0.squareRoot() }),
            ("Reciprocal", { 1 / $0 }), ("Floor", { $0.rounded(.down) }), ("Ceil", { $0.rounded(.up) }),
            ("Round", { $0.rounded(.toNearestOrEven) }), ("Sin", { Foundation.sin($0) }), ("Cos", { Foundation.cos($0) }),
            ("Tan", { Foundation.tan($0) }), ("Asin", { Foundation.asin($0) }), ("Acos", { Foundation.acos($0) }),
            ("Atan", { Foundation.atan($0) }), ("Sinh", { Foundation.sinh($0) }), ("Cosh", { Foundation.cosh($0) }),
            ("Asinh", { Foundation.asinh($0) }), ("Acosh", { Foundation.acosh($0) }), ("Atanh", { Foundation.atanh($0) }),
            ("Tanh", { Foundation.tanh($0) }), ("Erf", { Foundation.erf($0) }),
            ("Sigmoid", { Activation.sigmoid($0) }), ("Softplus", { Activation.softplus($0) }),
            ("Softsign", { $0 / (1 + abs($0)) }),
            ("HardSwish", { $0 * max(0, min(1, $0 / 6 + 0.5)) }),
            ("Mish", { $0 * Foundation.tanh(Activation.softplus($0)) }),
        ]
        for (name, function) in floatOnly {
            register(name) { _ in K.unary(function) }
        }
        register("Abs") { _ in K.unary({ abs($0) }, int: { $0 < 0 ? 0 &- $0 : $0 }) }
        register("Neg") { _ in K.unary({ -$0 }, int: { 0 &- $0 }) }
        register("Sign") { _ in K.unary({ $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) }, int: { $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) }) }
        register("Relu") { _ in K.unary(HotFunctions.Relu(), int: { max(0, $0) }) }
        register("IsNaN") { _ in K.predicate { $0.isNaN } }
        register("IsInf") { node throws(ReferenceEngineError) in
            let negative = try node.int("detect_negative", default: 1) != 0
            let positive = try node.int("detect_positive", default: 1) != 0
            return K.predicate { $0.isInfinite && ($0 > 0 ? positive : negative) }
        }
        register("Not") { _ in K.predicate({ $0 == 0 }, int: { $0 == 0 }) }
        // Identity passes sequences and optionals through as well (opsets 14 and 16).
        registerValues("Identity") { _ in { inputs, _ in [try inputs.at(0)] } }
    }

    private mutating func registerActivations() {
        typealias K = ElementwiseKernels
        register("LeakyRelu") { node throws(ReferenceEngineError) in
            let alpha = try node.float("alpha", default: 0.01)
            return K.unary { $0 >= 0 ? $0 : alpha * $0 }
        }
        register("Elu") { node throws(ReferenceEngineError) in
            let alpha = try node.float("alpha", default: 1)
            return K.unary { $0 >= 0 ? $0 : alpha * (Foundation.exp($0) - 1) }
        }
        register("Celu") { node throws(ReferenceEngineError) in
            let alpha = try node.float("alpha", default: 1)
            return K.unary { max(0, $0) + min(0, alpha * (Foundation.exp($0 / alpha) - 1)) }
        }
        register("Selu") { node throws(ReferenceEngineError) in
            let alpha = try node.float("alpha", default: 1.67326319217681884765625)
            let gamma = try node.float("gamma", default: 1.05070102214813232421875)
            return K.unary { $0 > 0 ? gamma * $0 : gamma * alpha * (Foundation.exp($0) - 1) }
        }
        register("ThresholdedRelu") { node throws(ReferenceEngineError) in
            let alpha = try node.float("alpha", default: 1)
            return K.unary { $0 > alpha ? $0 : 0 }
        }
        register("HardSigmoid") { node throws(ReferenceEngineError) in
            let alpha = try node.float("alpha", default: 0.2)
            let beta = try node.float("beta", default: 0.5)
            return K.unary { max(0, min(1, alpha * $0 + beta)) }
        }
        register("Shrink") { node throws(ReferenceEngineError) in
            let bias = try node.float("bias", default: 0)
            let lambd = try node.float("lambd", default: 0.5)
            let b = Int64(bias)
            let l = Int64(lambd)
            return K.unary({ $0 < -lambd ? $0 + bias : ($0 > lambd ? $0 - bias : 0) },
                           int: { $0 < -l ? $0 + b : ($0 > l ? $0 - b : 0) })
        }
        register("Gelu", since: 20) { node throws(ReferenceEngineError) in
            let tanh = try node.choice("approximate", default: "none", in: ["none", "tanh"]) == "tanh"
            if tanh {
                let c = Float(0.7978845608028654)
                return K.unary { 0.5 * $0 * (1 + Foundation.tanh(c * ($0 + 0.044715 * $0 * $0 * $0))) }
            }
            return K.unary { 0.5 * $0 * (1 + Foundation.erf($0 / Float(2).squareRoot())) }
        }
        register("Swish", since: 24) { node throws(ReferenceEngineError) in
            let alpha = try node.float("alpha", default: 1)
            return K.unary { $0 * Activation.sigmoid(alpha * $0) }
        }
        register("SwiGLU", since: 28) { node throws(ReferenceEngineError) in
            let alpha = try node.float("alpha", default: 1)
            return K.binary({ gate, value in gate * Activation.sigmoid(alpha * gate) * value })
        }
        register("Clip", until: 6) { node throws(ReferenceEngineError) in
            let low = try node.float("min", default: -.greatestFiniteMagnitude)
            let high = try node.float("max", default: .greatestFiniteMagnitude)
            return K.unary { min(max($0, low), high) }
        }
        register("Clip", since: 11) { _ in Activation.clip }
        register("PRelu") { _ in K.binary(HotFunctions.PRelu(), int: { $0 >= 0 ? $0 : $0 &* $1 }) }
    }

    private mutating func registerBinary() {
        typealias K = ElementwiseKernels
        register("Add") { _ in K.binary(HotFunctions.Add(), int: { $0 &+ $1 }) }
        register("Sub") { _ in K.binary(HotFunctions.Sub(), int: { $0 &- $1 }) }
        register("Mul") { _ in K.binary(HotFunctions.Mul(), int: { $0 &* $1 }) }
        register("Div") { _ in
            K.binary({ $0 / $1 }, int: { a, b throws(KernelError) in
                guard b != 0 else { throw .invalid("integer division by zero") }
                return a / b
            })
        }
        register("Pow") { _ in Activation.pow }
        register("Mod") { node throws(ReferenceEngineError) in
            let fmod = try node.int("fmod", default: 0) != 0
            return K.binary(
                { a, b in
                    let r = Foundation.fmod(a, b)
                    return fmod || r == 0 || (r < 0) == (b < 0) ? r : r + b
                },
                int: { a, b throws(KernelError) in
                    guard b != 0 else { throw .invalid("integer modulo by zero") }
                    let r = a % b
                    return fmod || r == 0 || (r < 0) == (b < 0) ? r : r + b
                })
        }
        register("Max") { _ in K.variadic({ $0.isNaN || $1.isNaN ? .nan : max($0, $1) }, int: { max($0, $1) }) }
        register("Min") { _ in K.variadic({ $0.isNaN || $1.isNaN ? .nan : min($0, $1) }, int: { min($0, $1) }) }
        register("Sum") { _ in K.variadic({ $0 + $1 }, int: { $0 &+ $1 }) }
        register("Mean") { _ in K.variadic({ $0 + $1 }, int: { $0 &+ $1 }, finish: { $0 / Float($1) }) }
    }

    private mutating func registerLogical() {
        typealias K = ElementwiseKernels
        register("Equal") { _ in K.comparison({ $0 == $1 }, int: { $0 == $1 }) }
        register("Less") { _ in K.comparison({ $0 < $1 }, int: { $0 < $1 }) }
        register("Greater") { _ in K.comparison({ $0 > $1 }, int: { $0 > $1 }) }
        register("LessOrEqual") { _ in K.comparison({ $0 <= $1 }, int: { $0 <= $1 }) }
        register("GreaterOrEqual") { _ in K.comparison({ $0 >= $1 }, int: { $0 >= $1 }) }
        register("And") { _ in K.comparison({ $0 != 0 && $1 != 0 }, int: { $0 != 0 && $1 != 0 }) }
        register("Or") { _ in K.comparison({ $0 != 0 || $1 != 0 }, int: { $0 != 0 || $1 != 0 }) }
        register("Xor") { _ in K.comparison({ ($0 != 0) != ($1 != 0) }, int: { ($0 != 0) != ($1 != 0) }) }
        register("Where") { _ in Activation.whereKernel }
    }
}
