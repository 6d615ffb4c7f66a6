import ONNXModel
import TensorCore

/// The output shapes a model gives for given input shapes, from its own shape inference: what a
/// server's reply is checked against, so a server answering with the wrong shape is caught as
/// that server's fault instead of corrupting the stitched image.
struct OutputShapes: Sendable {
    /// Each input's dimensions, the dynamic ones as symbols of their own.
    private let inputs: [String: [Dim]]
    /// Each output's dimensions in terms of those symbols; outputs inference could not size are left out.
    private let outputs: [String: [Dim]]

    init(model: Model) {
        var inputs: [String: [Dim]] = [:]
        for (index, input) in model.graph.runtimeInputs.enumerated() {
            guard let dims = input.type?.tensorType?.dims else { continue }
            inputs[input.name] = dims.enumerated().map { axis, dim in dim.value.map(Dim.value) ?? .symbol("input\(index)_\(axis)") }
        }
        var outputs: [String: [Dim]] = [:]
        if let types = try? model.inferTypes(inputShapes: inputs) {
            for output in model.graph.outputs {
                if let dims = types.values[output.name]?.tensorType?.dims, !dims.contains(where: \.isUnknown) {
                    outputs[output.name] = dims
                }
            }
        }
        self.inputs = inputs
        self.outputs = outputs
    }

    /// The shape `output` must have when the inputs have `shapes`; `nil` where inference could not tell.
    func expected(_ output: String, inputShapes shapes: [String: [Int]]) -> [Int]? {
        guard let dims = outputs[output] else { return nil }
        var values: [String: Int] = [:]
        for (name, symbols) in inputs {
            guard let shape = shapes[name], shape.count == symbols.count else { continue }
            for (symbol, size) in zip(symbols, shape) {
                if let name = symbol.symbolName { values[name] = size }
            }
        }
        let sizes = dims.compactMap { try? $0.substituting(values).value }
        return sizes.count == dims.count ? sizes : nil
    }
}
