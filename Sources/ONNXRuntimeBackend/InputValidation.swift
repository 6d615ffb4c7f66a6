import Foundation
import InferenceRuntime
import TensorCore

/// Checks run inputs against the session's inputs before anything reaches ORT, so a mistake is
/// reported as `.invalidInput` naming the input rather than as an ORT run failure.
///
/// One conversion is made instead of an error, because the pipeline passes float32 tiles to
/// every model variant: a float16 tensor given to a float32 input is widened (exactly), and a
/// float32 tensor given to a float16 input is rounded to the nearest float16. Outputs keep the
/// model's own types. Every other type difference is an error.
enum InputValidation {
    /// The given tensors in the session's input order, converted where allowed.
    static func arrange(_ given: [String: Tensor], for inputs: [TensorDescription]) throws(BackendError) -> [Tensor] {
        let expected = Set(inputs.map(\.name))
        if let unknown = given.keys.sorted().first(where: { !expected.contains($0) }) {
            throw invalid(unknown, "is not an input of this model; its inputs are \(inputs.map { "'\($0.name)'" }.joined(separator: ", "))")
        }
        return try inputs.map { description throws(BackendError) in
            guard let tensor = given[description.name] else {
                throw invalid(description.name, "is missing (\(describe(description)))")
            }
            guard !description.kind.isSequence, !description.kind.isMap else {
                throw invalid(description.name, "is \(description.typeDescription): run the session with values, not tensors")
            }
            return try check(tensor, against: description)
        }
    }

    /// One tensor (or one element of a sequence) checked against `description` and converted where allowed.
    static func check(_ tensor: Tensor, against description: TensorDescription) throws(BackendError) -> Tensor {
        let name = description.name
        var tensor = tensor
        if tensor.dataType != description.dataType {
            switch (tensor.dataType, description.dataType) {
            case (.float16, .float32), (.float32, .float16):
                tensor = try convert(tensor, to: description.dataType, name: name)
            default:
                throw invalid(name, "is \(tensor.dataType), but the model takes \(describe(description))")
            }
        }
        // ORT reports an input declared without a shape (tf2onnx, hand-built graphs) as rank 0,
        // like a scalar, and checks neither at run time; the shape is left to ORT for both.
        if description.dims.isEmpty { return tensor }
        guard tensor.shape.count == description.dims.count else {
            throw invalid(name, "has rank \(tensor.shape.count) \(tensor.shape), but the model takes \(describe(description))")
        }
        for (axis, (size, expected)) in zip(tensor.shape, description.dims).enumerated() {
            if let expected, expected != size {
                throw invalid(
                    name, "has shape \(tensor.shape), but the model takes \(describe(description)) (axis \(axis) must be \(expected))")
            }
        }
        return tensor
    }

    /// A map's keys and values, checked against the map input `description`: keys of its key
    /// type, values (1-D, one per key) as its value type.
    static func check(_ map: TensorMap, against description: TensorDescription) throws(BackendError) -> [Tensor] {
        guard map.keys.dataType == description.keyType else {
            throw invalid(description.name, "has \(map.keys.dataType) keys, but the model takes \(description.typeDescription)")
        }
        var values = description
        values.dims = [nil]
        return [map.keys, try check(map.values, against: values)]
    }

    /// `float [1, 3, ?, ?]`
    static func describe(_ description: TensorDescription) -> String {
        "\(description.dataType) [\(description.dims.map { $0.map(String.init) ?? "?" }.joined(separator: ", "))]"
    }

    static func invalid(_ name: String, _ problem: String) -> BackendError {
        BackendError(.invalidInput, backend: .onnxRuntime, call: "run", message: "input '\(name)' \(problem)")
    }

    /// Converts between float16 and float32, element by element.
    private static func convert(_ tensor: Tensor, to type: DataType, name: String) throws(BackendError) -> Tensor {
        guard let bytes = tensor.rawBytes else { throw invalid(name, "has no numeric payload") }
        let count = tensor.elementCount
        let converted: Data
        if type == .float32 {
            converted = bytes.withUnsafeBytes { raw in
                let widened = (0..<count).map { Float(halfBits: raw.loadUnaligned(fromByteOffset: $0 * 2, as: UInt16.self)) }
                return widened.withUnsafeBytes { Data($0) }
            }
        } else {
            converted = bytes.withUnsafeBytes { raw in
                let narrowed = (0..<count).map { halfBits(raw.loadUnaligned(fromByteOffset: $0 * 4, as: Float.self)) }
                return narrowed.withUnsafeBytes { Data($0) }
            }
        }
        do { return try Tensor(dataType: type, shape: tensor.shape, bytes: converted) } catch {
            throw invalid(name, "could not be converted to \(type): \(error)")
        }
    }
}

// IEEE binary16 ↔ binary32 by bit manipulation: Swift's `Float16` type is unavailable on
// macOS x86_64, and these few lines behave the same everywhere.

/// The float32 value of float16 bits (exact).
private extension Float {
    init(halfBits h: UInt16) {
        let sign = UInt32(h & 0x8000) << 16
        let exponent = Int(h >> 10) & 0x1f
        let mantissa = UInt32(h & 0x3ff)
        switch exponent {
        case 0 where mantissa == 0:
            self = Float(bitPattern: sign)
        case 0:  // subnormal: mantissa × 2^-24
            let magnitude = Float(mantissa) * 0x1p-24
            self = sign != 0 ? -magnitude : magnitude
        case 0x1f:
            self = Float(bitPattern: sign | 0x7f80_0000 | mantissa << 13)
        default:
            self = Float(bitPattern: sign | UInt32(exponent - 15 + 127) << 23 | mantissa << 13)
        }
    }
}

/// float16 bits for `value`, rounded to nearest even; overflow becomes infinity, NaN stays NaN.
private func halfBits(_ value: Float) -> UInt16 {
    let bits = value.bitPattern
    let sign = UInt16((bits >> 16) & 0x8000)
    let exponent = Int((bits >> 23) & 0xff)
    var mantissa = bits & 0x7f_ffff
    if exponent == 0xff { return sign | 0x7c00 | (mantissa != 0 ? 0x200 : 0) }
    var e = exponent - 127 + 15
    if e >= 0x1f { return sign | 0x7c00 }
    if e <= 0 {
        guard e >= -10 else { return sign }  // below half the smallest subnormal
        mantissa |= 0x80_0000
        let shift = UInt32(14 - e)
        let half = mantissa >> shift
        let remainder = mantissa & ((1 << shift) - 1)
        let midpoint: UInt32 = 1 << (shift - 1)
        let rounded = half + ((remainder > midpoint || (remainder == midpoint && half & 1 == 1)) ? 1 : 0)
        return sign | UInt16(rounded)
    }
    var half = mantissa >> 13
    let remainder = mantissa & 0x1fff
    if remainder > 0x1000 || (remainder == 0x1000 && half & 1 == 1) {
        half += 1
        if half == 0x400 {
            half = 0
            e += 1
            if e >= 0x1f { return sign | 0x7c00 }
        }
    }
    return sign | UInt16(e) << 10 | UInt16(half)
}
