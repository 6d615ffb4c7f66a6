import TensorCore

/// Operators that work element by element: unary functions, broadcasting arithmetic, comparisons,
/// casts, and the quantize/dequantize pair.
enum ElementwiseOps {
    /// Output 0 has input 0's type: activations, `Identity`, `Clip`, `CumSum`, `Trilu`, ….
    static func unary(_ context: inout InferenceContext) throws -> [ValueType?] {
        [context.type(0)]
    }

    /// `Softmax`, `LogSoftmax`, `Hardmax`: input 0's type, after checking the axis.
    static func softmax(_ context: inout InferenceContext) throws -> [ValueType?] {
        if let rank = context.rank(0), rank > 0 {
            _ = try context.axis(try context.int("axis", default: context.opset >= 13 ? -1 : 1), rank: rank)
        }
        return [context.type(0)]
    }

    /// `IsNaN`, `IsInf`, `RegexFullMatch`: a bool per element.
    static func predicate(_ context: inout InferenceContext) throws -> [ValueType?] {
        [.tensor(.bool, context.dims(0))]
    }

    /// `Cast`: the `to` type, input 0's shape.
    static func cast(_ context: inout InferenceContext) throws -> [ValueType?] {
        guard let target = try context.dataType("to") else { throw context.invalid("attribute 'to' is missing") }
        return [.tensor(target, context.dims(0))]
    }

    /// `CastLike`: input 1's element type, input 0's shape.
    static func castLike(_ context: inout InferenceContext) throws -> [ValueType?] {
        [.tensor(context.element(1), context.dims(0))]
    }

    /// `Dropout`: the data, and an optional mask (bool since opset 10, the data's type before).
    static func dropout(_ context: inout InferenceContext) throws -> [ValueType?] {
        let maskType = context.opset >= 10 ? DataType.bool : context.element(0)
        return [context.type(0), .tensor(maskType, context.dims(0))]
    }

    /// `Bernoulli`, `RandomUniformLike`, `RandomNormalLike`, `EyeLike`: input 0's shape, element
    /// type from `dtype` when given.
    static func like(_ context: inout InferenceContext) throws -> [ValueType?] {
        if context.node.opType == "EyeLike", let rank = context.rank(0), rank != 2 {
            throw context.invalid("input has rank \(rank), expected 2")
        }
        return [.tensor(try context.dataType("dtype") ?? context.element(0), context.dims(0))]
    }

    /// Two-input arithmetic (`Add`, `Sub`, `Mul`, `Div`, `Pow`, `Mod`, `BitShift`, `Bitwise*`, `StringConcat`):
    /// broadcast shapes, input 0's element type.
    static func arithmetic(_ context: inout InferenceContext) throws -> [ValueType?] {
        [.tensor(context.element(0), try binaryShape(&context))]
    }

    /// Comparisons and logical operators: broadcast shapes, bool elements.
    static func comparison(_ context: inout InferenceContext) throws -> [ValueType?] {
        [.tensor(.bool, try binaryShape(&context))]
    }

    /// The output shape of a two-input operator, with the opset-1..6 `broadcast`/`axis` attributes.
    private static func binaryShape(_ context: inout InferenceContext) throws -> [Dim]? {
        if context.opset < 7 {
            // Before opset 7 the second input is aligned to the first one's dims explicitly, or
            // must match exactly; the output always has the first input's shape.
            guard let a = context.dims(0) else { return nil }
            guard let b = context.dims(1) else { return a }
            if try context.int("broadcast", default: 0) != 0 {
                try Broadcasting.checkLegacy(b, to: a, axis: try context.int("axis"), in: context)
                return a
            }
        }
        return try Broadcasting.inputs([0, 1], in: context)
    }

    /// `Sum`, `Mean`, `Max`, `Min`: the broadcast of every input, the first known element type.
    static func variadic(_ context: inout InferenceContext) throws -> [ValueType?] {
        let element = (0..<context.inputCount).compactMap { context.element($0) }.first
        return [.tensor(element, try Broadcasting.inputs(Array(0..<context.inputCount), in: context))]
    }

    /// `Where(condition, X, Y)`: the three-way broadcast, X's element type.
    static func `where`(_ context: inout InferenceContext) throws -> [ValueType?] {
        [.tensor(context.element(1) ?? context.element(2), try Broadcasting.inputs([0, 1, 2], in: context))]
    }

    /// `PRelu(X, slope)`: X's type; the slope must broadcast to X.
    static func prelu(_ context: inout InferenceContext) throws -> [ValueType?] {
        if let x = context.dims(0), let slope = context.dims(1), context.opset >= 7 {
            try Broadcasting.checkUnidirectional(slope, to: x, what: "slope", in: context)
        }
        return [context.type(0)]
    }

    /// `QuantizeLinear(x, scale, zero_point)`: the zero point's type (or `output_dtype`, default
    /// uint8), x's shape.
    static func quantize(_ context: inout InferenceContext) throws -> [ValueType?] {
        var element = context.element(2)
        if let requested = try context.int("output_dtype"), requested != 0 {
            element = try context.dataType("output_dtype")
        } else if !context.has(2) {
            element = .uint8
        }
        return [.tensor(element, context.dims(0))]
    }

    /// `DequantizeLinear(x, scale, zero_point)`: float before opset 19, the scale's type after
    /// (or `output_dtype`), x's shape.
    static func dequantize(_ context: inout InferenceContext) throws -> [ValueType?] {
        var element: DataType? = context.opset >= 19 ? context.element(1) : .float32
        if let requested = try context.int("output_dtype"), requested != 0 {
            element = try context.dataType("output_dtype")
        }
        return [.tensor(element, context.dims(0))]
    }

    /// `DynamicQuantizeLinear(x)`: uint8 data of x's shape, a float scale and a uint8 zero point.
    static func dynamicQuantize(_ context: inout InferenceContext) throws -> [ValueType?] {
        [.tensor(.uint8, context.dims(0)), .tensor(.float32, []), .tensor(.uint8, [])]
    }
}
