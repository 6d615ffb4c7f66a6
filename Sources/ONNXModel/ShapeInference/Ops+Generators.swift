import Foundation
import TensorCore

/// Operators that create tensors: Constant, ConstantOfShape, Range, the random generators.
enum GeneratorOps {
    /// `Constant`: exactly one of `value`, `value_float(s)`, `value_int(s)`, `value_string(s)`,
    /// `sparse_value`; the tensor becomes a known value for later nodes.
    static func constant(_ context: inout InferenceContext) throws -> [ValueType?] {
        let names = ["value", "value_float", "value_floats", "value_int", "value_ints", "value_string", "value_strings"]
        let given = context.node.attributes.filter { names.contains($0.name) || $0.name == "sparse_value" }
        guard given.count == 1, let attribute = given.first else {
            throw context.invalid("exactly one value attribute is required, \(given.count) given")
        }
        let tensor: Tensor
        do {
            switch (attribute.name, attribute.value) {
            case ("value", .tensor(let stored)): tensor = stored.tensor
            case ("value_float", .float(let value)): tensor = try Tensor(shape: [], scalars: [value])
            case ("value_floats", .floats(let values)): tensor = try Tensor(shape: [values.count], scalars: values)
            case ("value_int", .int(let value)): tensor = try Tensor(shape: [], scalars: [value])
            case ("value_ints", .ints(let values)): tensor = try Tensor(shape: [values.count], scalars: values)
            case ("value_string", .string(let value)): tensor = try Tensor(shape: [], strings: [value])
            case ("value_strings", .strings(let values)): tensor = try Tensor(shape: [values.count], strings: values)
            case ("sparse_value", _):
                context.note("sparse constants are not covered")
                return [nil]
            default:
                throw context.invalid("attribute '\(attribute.name)' has type \(attribute.typeName)")
            }
        } catch let error as TensorError {
            throw context.invalid("attribute '\(attribute.name)': \(error)")
        }
        context.outputConstants[0] = tensor
        return [.tensor(tensor.dataType, tensor.shape.map(Dim.value))]
    }

    /// `ConstantOfShape(shape)`: dims from the input's value, the type of the `value` attribute
    /// (float by default).
    static func constantOfShape(_ context: inout InferenceContext) throws -> [ValueType?] {
        var element = DataType.float32
        if let value = try context.tensorAttribute("value") {
            guard value.elementCount == 1 else {
                throw context.invalid("attribute 'value' has \(value.elementCount) elements, expected 1")
            }
            element = value.dataType
        }
        if let dims = try requestedShape(context, input: 0) { return [.tensor(element, dims)] }
        return [.tensor(element, context.staticLength(0).map { Array(repeating: .unknown, count: $0) })]
    }

    /// The value of a shape input, checked to be non-negative.
    static func requestedShape(_ context: InferenceContext, input: Int) throws -> [Dim]? {
        guard let dims = context.dimValues(input) else { return nil }
        if let bad = dims.first(where: { ($0.value ?? 0) < 0 }) { throw context.invalid("shape has negative value \(bad)") }
        return dims
    }

    /// `Range(start, limit, delta)`: `max(ceil((limit - start) / delta), 0)` elements when the
    /// operands are known; `limit - start` for a unit step over symbolic bounds.
    static func range(_ context: inout InferenceContext) throws -> [ValueType?] {
        let element = context.element(0) ?? context.element(1) ?? context.element(2)
        return [.tensor(element, [try rangeLength(context)])]
    }

    static func rangeLength(_ context: InferenceContext) throws -> Dim {
        for index in 0..<3 {
            if let rank = context.rank(index), rank > 1 || (rank == 1 && context.staticLength(index) != 1) {
                throw context.invalid("input \(index) is not a scalar")
            }
        }
        let isInteger = [DataType.int64, .int32, .int16, .int8].contains(context.element(0) ?? .float32)
        if isInteger, let start = context.dimValues(0)?.first, let limit = context.dimValues(1)?.first,
            let delta = context.dimValues(2)?.first
        {
            guard let step = delta.value else { return .unknown }
            guard step != 0 else { throw context.invalid("delta is 0") }
            let span = try limit.subtracting(start)
            if let length = span.value {
                // For a negative step, ceil(length / step) = ceil(-length / -step); negation is checked.
                let count =
                    step > 0
                    ? try Dim.value(length).ceilDivided(by: step)
                    : try Dim.value(length).multiplied(by: -1).ceilDivided(by: Dim.value(step).multiplied(by: -1).value ?? 1)
                return .value(max(count.value ?? 0, 0))
            }
            return step == 1 ? span : .unknown
        }
        guard let start = context.floatValues(0)?.first, let limit = context.floatValues(1)?.first,
            let delta = context.floatValues(2)?.first
        else { return .unknown }
        guard delta != 0, delta.isFinite else { throw context.invalid("delta is \(delta)") }
        let count = ((limit - start) / delta).rounded(.up)
        guard count.isFinite, count <= Double(Limits.maximumDimension) else {
            throw context.invalid("range of \(count) elements is out of range")
        }
        return .value(max(Int(count), 0))
    }

    /// `RandomUniform`, `RandomNormal`: the `shape` attribute, `dtype` (float by default).
    static func random(_ context: inout InferenceContext) throws -> [ValueType?] {
        guard let shape = try context.ints("shape") else { throw context.invalid("attribute 'shape' is missing") }
        if let bad = shape.first(where: { $0 < 0 }) { throw context.invalid("attribute 'shape' has negative value \(bad)") }
        return [.tensor(try context.dataType("dtype") ?? .float32, shape.map(Dim.value))]
    }

    /// `Multinomial(input [batch, classes])`: `[batch, sample_size]`, int32 by default.
    static func multinomial(_ context: inout InferenceContext) throws -> [ValueType?] {
        let samples = try context.int("sample_size", default: 1)
        guard samples >= 1 else { throw context.invalid("attribute 'sample_size' is \(samples)") }
        let batch = try context.requireRank(0, 2, what: "input")?[0] ?? .unknown
        return [.tensor(try context.dataType("dtype") ?? .int32, [batch, .value(samples)])]
    }
}

/// Signal processing and text operators: DFT, STFT, window functions, MelWeightMatrix,
/// StringNormalizer, TfIdfVectorizer.
enum SignalOps {
    /// `BlackmanWindow`, `HannWindow`, `HammingWindow`: `[size]` of `output_datatype` (float).
    static func window(_ context: inout InferenceContext) throws -> [ValueType?] {
        let element = try context.dataType("output_datatype") ?? .float32
        guard let size = context.dimValues(0)?.first else { return [.tensor(element, [.unknown])] }
        if let value = size.value, value < 0 { throw context.invalid("window size is \(value)") }
        return [.tensor(element, [size])]
    }

    /// `MelWeightMatrix(num_mel_bins, dft_length, …)`: `[dft_length/2 + 1, num_mel_bins]`.
    static func melWeightMatrix(_ context: inout InferenceContext) throws -> [ValueType?] {
        let element = try context.dataType("output_datatype") ?? .float32
        let bins = context.dimValues(0)?.first ?? .unknown
        let length = context.dimValues(1)?.first.map { try? $0.floorDivided(by: 2).adding(1) } ?? nil
        return [.tensor(element, [length ?? .unknown, bins])]
    }

    /// `DFT(input [batch, …, n, 1|2], dft_length, axis)`: complex output (last dim 2); the
    /// transformed axis becomes `dft_length` (or stays `n`), halved plus one when `onesided`.
    /// The axis is an attribute (default 1) before opset 20, an input (default -2) after.
    static func dft(_ context: inout InferenceContext) throws -> [ValueType?] {
        let element = context.element(0)
        guard let x = context.dims(0) else { return [.tensor(element, nil)] }
        guard x.count >= 3 else { throw context.invalid("input has rank \(x.count), expected at least 3") }
        if let last = x[x.count - 1].value, last != 1, last != 2 {
            throw context.invalid("last dimension is \(last), expected 1 (real) or 2 (complex)")
        }
        var axisValue: Int
        if context.opset >= 20 {
            guard !context.has(2) || context.scalarInt(2) != nil else {
                return [.tensor(element, Array(repeating: .unknown, count: x.count - 1) + [.value(2)])]
            }
            axisValue = context.has(2) ? context.scalarInt(2) ?? -2 : -2
        } else {
            axisValue = try context.int("axis", default: 1)
        }
        // The complex dim cannot be transformed.
        axisValue = try context.axis(axisValue, rank: x.count - 1)
        var length = x[axisValue]
        if context.has(1) { length = context.dimValues(1)?.first ?? .unknown }
        if try context.int("onesided", default: 0) != 0 { length = try length.floorDivided(by: 2).adding(1) }
        var dims = x
        dims[axisValue] = length
        dims[x.count - 1] = .value(2)
        return [.tensor(element, dims)]
    }

    /// `STFT(signal [batch, length, 1|2], frame_step, window, frame_length)`:
    /// `[batch, frames, bins, 2]`.
    static func stft(_ context: inout InferenceContext) throws -> [ValueType?] {
        let element = context.element(0)
        guard let signal = try context.requireRank(0, 3, what: "signal") else { return [.tensor(element, nil)] }
        var frameLength = context.has(3) ? context.dimValues(3)?.first ?? .unknown : .unknown
        if !context.has(3), let window = context.dims(2), window.count == 1 { frameLength = window[0] }
        var frames = Dim.unknown
        if let step = context.dimValues(1)?.first?.value {
            guard step >= 1 else { throw context.invalid("frame_step is \(step)") }
            frames = try signal[1].subtracting(frameLength).floorDivided(by: step).adding(1)
        }
        let bins =
            try context.int("onesided", default: 1) != 0 ? try frameLength.floorDivided(by: 2).adding(1) : frameLength
        return [.tensor(element, [signal[0], frames, bins, .value(2)])]
    }

    /// `StringNormalizer`: strings, `[C] → [?]` or `[1, C] → [1, ?]` (stop words are removed).
    static func stringNormalizer(_ context: inout InferenceContext) throws -> [ValueType?] {
        guard let x = context.dims(0) else { return [.tensor(.string, nil)] }
        switch x.count {
        case 1: return [.tensor(.string, [.unknown])]
        case 2: return [.tensor(.string, [x[0], .unknown])]
        default: throw context.invalid("input has rank \(x.count), expected 1 or 2")
        }
    }

    /// `TfIdfVectorizer`: float, `[C]` or `[N, C]` with `C = max(ngram_indexes) + 1`.
    static func tfIdfVectorizer(_ context: inout InferenceContext) throws -> [ValueType?] {
        guard let indexes = try context.ints("ngram_indexes"), let greatest = indexes.max(), greatest < Int.max,
            indexes.allSatisfy({ $0 >= 0 })
        else { throw context.invalid("attribute 'ngram_indexes' must be non-empty and non-negative") }
        let width = Dim.value(greatest + 1)
        guard let x = context.dims(0) else { return [.tensor(.float32, nil)] }
        switch x.count {
        case 1: return [.tensor(.float32, [width])]
        case 2: return [.tensor(.float32, [x[0], width])]
        default: throw context.invalid("input has rank \(x.count), expected 1 or 2")
        }
    }
}
