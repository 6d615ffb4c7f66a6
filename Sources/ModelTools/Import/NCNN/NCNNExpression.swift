/// One item of an ncnn shape expression, the string parameters pnnx writes where a size depends
/// on the input (Interp's `9=`, Reshape's `6=`): `*(0h,2),+(0w,1)` is a list of two prefix
/// expressions over the sizes of the layer's input blobs (`0w` is blob 0's width; `h`, `d`, `c`
/// likewise) and literals.
///
/// ncnn evaluates them with integers and floats kept apart (two integers give an integer, `/`
/// always a float, `floor` and its kin turn a float into an integer, and each listed value is
/// truncated to an integer at the end); the importer builds the same arithmetic as ONNX nodes.
indirect enum NCNNExpression: Sendable, Equatable, CustomStringConvertible {
    case size(blob: Int, axis: Character)
    case int(Int)
    case float(Float)
    case unary(String, NCNNExpression)
    case binary(String, NCNNExpression, NCNNExpression)

    /// Operators on two values, and on one, that the importer can build.
    static let binaryOperators: Set<String> = ["+", "-", "*", "//", "/", "max", "min"]
    static let unaryOperators: Set<String> = ["abs", "neg", "sign", "square", "trunc", "ceil", "floor", "round"]
    /// ncnn's other operators: recognised so the error can say they are not built.
    static let otherBinary: Set<String> = ["atan2", "fmod", "pow", "remainder", "logaddexp", "and", "or", "xor", "lshift", "rshift"]
    static let otherUnary: Set<String> = [
        "acos", "acosh", "asin", "asinh", "atan", "atanh", "cos", "cosh", "erf", "exp", "log", "log10",
        "reciprocal", "rsqrt", "sin", "sinh", "sqrt", "tan", "tanh",
    ]

    /// Why an expression could not be read or built.
    struct Failure: Error, Sendable, Equatable {
        var reason: String
    }

    /// The expressions of a comma-separated list, in the order written. ncnn splits the text at
    /// `(`, `)` and `,` and evaluates the tokens from the last to the first on a stack, so an
    /// operator takes the values that follow it and the list is what is left on the stack.
    static func parseList(_ text: String) throws(Failure) -> [NCNNExpression] {
        let tokens = text.split(whereSeparator: { $0 == "(" || $0 == ")" || $0 == "," }).map(String.init)
        guard !tokens.isEmpty else { throw Failure(reason: "the expression '\(text)' is empty") }
        var stack: [NCNNExpression] = []
        func pop(for token: String) throws(Failure) -> NCNNExpression {
            guard let top = stack.popLast() else { throw Failure(reason: "'\(token)' lacks an operand in '\(text)'") }
            return top
        }
        for token in tokens.reversed() {
            if let reference = blobSize(token) {
                stack.append(reference)
            } else if binaryOperators.contains(token) || otherBinary.contains(token) {
                guard binaryOperators.contains(token) else { throw Failure(reason: "the operator '\(token)' is not supported") }
                let first = try pop(for: token)
                let second = try pop(for: token)
                stack.append(.binary(token, first, second))
            } else if unaryOperators.contains(token) || otherUnary.contains(token) {
                guard unaryOperators.contains(token) else { throw Failure(reason: "the operator '\(token)' is not supported") }
                stack.append(.unary(token, try pop(for: token)))
            } else if let value = Int(token) {
                stack.append(.int(value))
            } else if let value = Float(token), value.isFinite {
                // ncnn keeps a literal that reads as a whole number an integer.
                stack.append(value.rounded() == value && abs(value) < 1e9 ? .int(Int(value)) : .float(value))
            } else {
                throw Failure(reason: "'\(token)' in '\(text)' is neither a number, a blob size nor an operator")
            }
        }
        return stack.reversed()
    }

    /// `0w`, `1h`, …: a digit naming the layer's input and the axis. ncnn's `n` (a batch count)
    /// has no meaning for the importer's blobs and is left to the error for unknown tokens.
    private static func blobSize(_ token: String) -> NCNNExpression? {
        guard token.count == 2, let index = token.first?.wholeNumberValue, let axis = token.last, "whdc".contains(axis) else {
            return nil
        }
        return .size(blob: index, axis: axis)
    }

    /// The highest input index the expression reads, plus one.
    var blobCount: Int {
        switch self {
        case .size(let blob, _): blob + 1
        case .int, .float: 0
        case .unary(_, let operand): operand.blobCount
        case .binary(_, let first, let second): max(first.blobCount, second.blobCount)
        }
    }

    var description: String {
        switch self {
        case .size(let blob, let axis): "\(blob)\(axis)"
        case .int(let value): "\(value)"
        case .float(let value): "\(value)"
        case .unary(let op, let operand): "\(op)(\(operand))"
        case .binary(let op, let first, let second): "\(op)(\(first),\(second))"
        }
    }
}
