import Foundation
import ONNXModel

extension NCNNGraphBuilder {
    /// MatMul (`0=transB`): numpy's matmul over the two blobs, whose broadcasting of the outer axes
    /// ncnn follows (a lower-rank operand gains leading axes of 1). A vector operand is a row on
    /// the left and a column on the right, and that axis leaves the result; two vectors give a
    /// 1-D blob of one value. `transB` swaps the right operand's last two axes.
    mutating func matMul(_ layer: NCNNLayer) throws(NCNNImportError) {
        try expect(layer, inputs: 2...2)
        let rankA = shape(of: layer.inputs[0]).rank
        let rankB = shape(of: layer.inputs[1]).rank
        let output = layer.outputs[0]
        var a = value(layer.inputs[0])
        var b = value(layer.inputs[1])
        // ONNX values carry a batch axis of 1 first, so a vector is [1, K]: made [1, 1, K] or [1, K, 1].
        if rankA == 1 {
            let row = fresh("\(output)_row")
            emit("Unsqueeze", name: layer.name, inputs: [a, int64s("\(layer.name).row_axis", [1])], outputs: [row])
            a = row
        }
        if rankB == 1 {
            let column = fresh("\(output)_column")
            emit("Unsqueeze", name: layer.name, inputs: [b, int64s("\(layer.name).column_axis", [2])], outputs: [column])
            b = column
        } else if try int(layer, 0, 0) != 0 {
            let transposed = fresh("\(output)_bT")
            let perm = Array(0..<Int64(rankB - 1)) + [Int64(rankB), Int64(rankB - 1)]
            emit("Transpose", name: layer.name, inputs: [b], outputs: [transposed], attributes: [Attribute(name: "perm", value: .ints(perm))])
            b = transposed
        }
        // The row's M axis (-2) goes when A was a vector, else the column's N axis (-1); two
        // vectors keep one of the two, as ncnn keeps a one-element vector.
        let squeezed: Int64? = rankB == 1 ? -1 : rankA == 1 ? -2 : nil
        guard let squeezed else {
            emit("MatMul", name: layer.name, inputs: [a, b], outputs: [output])
            return
        }
        let product = fresh("\(output)_product")
        emit("MatMul", name: layer.name, inputs: [a, b], outputs: [product])
        emit("Squeeze", name: layer.name, inputs: [product, int64s("\(layer.name).squeeze", [squeezed])], outputs: [output])
    }
}
