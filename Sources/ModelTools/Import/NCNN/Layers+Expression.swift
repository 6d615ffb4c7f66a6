import Foundation
import ONNXModel
import TensorCore

/// Shape expressions (``NCNNExpression``) built as ONNX nodes on one-element int64 and float32
/// tensors, with ncnn's integer and float rules.
extension NCNNGraphBuilder {
    /// String parameter `id` read as an expression list; nil when absent or empty (ncnn then
    /// uses the layer's number parameters).
    func expressionList(_ layer: NCNNLayer, _ id: Int) throws(NCNNImportError) -> [NCNNExpression]? {
        guard let text = try string(layer, id), !text.isEmpty else { return nil }
        let list: [NCNNExpression]
        do {
            list = try NCNNExpression.parseList(text)
        } catch {
            throw fail(layer, "expression \(id)=\(text): \(error.reason)")
        }
        let needed = list.map(\.blobCount).max() ?? 0
        guard needed <= layer.inputs.count else {
            throw fail(layer, "expression \(id)=\(text) reads input \(needed - 1), but the layer has \(layer.inputs.count)")
        }
        return list
    }

    /// Each listed value as an int64 `[1]` tensor, truncated to an integer as ncnn does.
    mutating func buildIntegers(_ layer: NCNNLayer, _ list: [NCNNExpression]) throws(NCNNImportError) -> [String] {
        var shapes: [Int: String] = [:]
        var names: [String] = []
        for item in list {
            let built = try build(layer, item, shapes: &shapes)
            names.append(built.isFloat ? toInteger(layer, built.name) : built.name)
        }
        return names
    }

    /// A built value: its ONNX name, and whether ncnn holds it as a float.
    private struct Built {
        var name: String
        var isFloat: Bool
    }

    private mutating func build(
        _ layer: NCNNLayer, _ expression: NCNNExpression, shapes: inout [Int: String]
    ) throws(NCNNImportError) -> Built {
        switch expression {
        case .size(let blob, let axis):
            let shape = shape(of: layer.inputs[blob])
            guard let index = NCNNBlobShape.index(of: axis, rank: shape.rank) else {
                throw fail(layer, "expression reads '\(blob)\(axis)', but input \(blob) is a \(shape.rank)-D blob")
            }
            let sizes: String
            if let cached = shapes[blob] {
                sizes = cached
            } else {
                sizes = fresh("\(layer.name)_expr_shape")
                emit("Shape", name: layer.name, inputs: [value(layer.inputs[blob])], outputs: [sizes])
                shapes[blob] = sizes
            }
            let size = fresh("\(layer.name)_expr_\(blob)\(axis)")
            emit("Gather", name: layer.name, inputs: [sizes, int64s("\(layer.name).expr_axis", [Int64(index + 1)])], outputs: [size])
            return Built(name: size, isFloat: false)
        case .int(let value):
            return Built(name: int64s("\(layer.name).expr_int", [Int64(value)]), isFloat: false)
        case .float(let value):
            return Built(name: floats("\(layer.name).expr_float", shape: [1], [value]), isFloat: true)
        case .unary(let op, let operand):
            let built = try build(layer, operand, shapes: &shapes)
            switch op {
            case "abs", "neg", "sign":
                return Built(name: node(layer, ["abs": "Abs", "neg": "Neg", "sign": "Sign"][op] ?? op, [built.name]), isFloat: built.isFloat)
            case "square":
                return Built(name: node(layer, "Mul", [built.name, built.name]), isFloat: built.isFloat)
            default:
                // trunc, ceil, floor, round: an integer stays as it is; a float becomes one.
                guard built.isFloat else { return built }
                let rounded: String = switch op {
                case "ceil": node(layer, "Ceil", [built.name])
                case "floor": node(layer, "Floor", [built.name])
                case "round": roundHalfAway(layer, built.name)
                default: built.name
                }
                return Built(name: toInteger(layer, rounded), isFloat: false)
            }
        case .binary(let op, let first, let second):
            var a = try build(layer, first, shapes: &shapes)
            var b = try build(layer, second, shapes: &shapes)
            let integral = !a.isFloat && !b.isFloat && op != "/"
            if !integral {
                if !a.isFloat { a = Built(name: toFloat(layer, a.name), isFloat: true) }
                if !b.isFloat { b = Built(name: toFloat(layer, b.name), isFloat: true) }
            }
            let result: String
            switch op {
            case "+": result = node(layer, "Add", [a.name, b.name])
            case "-": result = node(layer, "Sub", [a.name, b.name])
            case "*": result = node(layer, "Mul", [a.name, b.name])
            case "max": result = node(layer, "Max", [a.name, b.name])
            case "min": result = node(layer, "Min", [a.name, b.name])
            // Integer division truncates, as C's does; a float `//` floors.
            case "//" where integral: result = node(layer, "Div", [a.name, b.name])
            case "//": result = node(layer, "Floor", [node(layer, "Div", [a.name, b.name])])
            default: result = node(layer, "Div", [a.name, b.name])
            }
            return Built(name: result, isFloat: !integral)
        }
    }

    /// One node with one output, named after the layer.
    private mutating func node(_ layer: NCNNLayer, _ op: String, _ inputs: [String]) -> String {
        let output = fresh("\(layer.name)_expr")
        emit(op, name: layer.name, inputs: inputs, outputs: [output])
        return output
    }

    /// C's `round`, halves away from zero (ONNX Round goes to the even neighbour):
    /// sign(x) · floor(|x| + 0.5).
    private mutating func roundHalfAway(_ layer: NCNNLayer, _ value: String) -> String {
        let shifted = node(layer, "Add", [node(layer, "Abs", [value]), floats("\(layer.name).expr_half", shape: [1], [0.5])])
        return node(layer, "Mul", [node(layer, "Sign", [value]), node(layer, "Floor", [shifted])])
    }

    /// float32 → int64, truncating toward zero as ncnn's `(int)` does.
    private mutating func toInteger(_ layer: NCNNLayer, _ value: String) -> String {
        cast(layer, value, to: .int64)
    }

    private mutating func toFloat(_ layer: NCNNLayer, _ value: String) -> String {
        cast(layer, value, to: .float32)
    }

    private mutating func cast(_ layer: NCNNLayer, _ value: String, to type: DataType) -> String {
        let output = fresh("\(layer.name)_expr")
        emit("Cast", name: layer.name, inputs: [value], outputs: [output],
             attributes: [Attribute(name: "to", value: .int(Int64(type.rawValue)))])
        return output
    }
}
