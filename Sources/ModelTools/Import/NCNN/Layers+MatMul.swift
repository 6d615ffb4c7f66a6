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

extension NCNNGraphBuilder {
    /// Gemm (`0=alpha 1=beta 2=transA 3=transB 4..6=constantA/B/C 7..9=M N K 10=C's broadcast type
    /// 11=output_N1M 14=output_transpose`): ncnn computes alpha · (A·B + beta · C), so alpha scales
    /// C too (ONNX's Gemm does not). A and B are 2-D blobs, or 3-D ones with one row per channel
    /// ([M, 1, K]), or constants from the `.bin`; C is a constant (none, a scalar, per row, [M, 1],
    /// [M, N] or per column) or a 2-D blob or one-value vector; int8 Gemm is refused.
    mutating func gemm(_ layer: NCNNLayer) throws(NCNNImportError) {
        let constantA = try int(layer, 4, 0) != 0
        let constantB = try int(layer, 5, 0) != 0
        let constantC = try int(layer, 6, 0) != 0
        let blobs = (constantA ? 0 : 1) + (constantB ? 0 : 1)
        try expect(layer, inputs: blobs...(constantC ? blobs : blobs + 1))
        guard try int(layer, 18, 0) == 0 else { throw fail(layer, "quantized Gemm is not supported") }
        let (m, n, k) = (try int(layer, 7, 0), try int(layer, 8, 0), try int(layer, 9, 0))
        // C's constant shape, broadcasting over [1, M, N]; checked before any weight is read.
        var constantCShape: [Int]?
        let typeC = constantC ? try int(layer, 10, 0) : -1
        if typeC != -1 {
            let shapes: [Int: [Int]] = [0: [], 1: [m, 1], 2: [m, 1], 3: [m, n], 4: [n]]
            guard let shape = shapes[typeC], shape.allSatisfy({ $0 > 0 }) else {
                throw fail(layer, "C's broadcast type \(typeC) with M \(m) and N \(n) is not one of ncnn's")
            }
            constantCShape = shape
        }
        let output = layer.outputs[0]
        var inputs = layer.inputs.makeIterator()
        /// An operand as an ONNX [1, rows, columns] value, transposed when asked: rows of a blob, or
        /// a constant stored `rows × columns`.
        func operand(_ constant: Bool, rows: Int, columns: Int, transposed: Bool, name: String) throws(NCNNImportError) -> String {
            var result: String
            if constant {
                guard rows > 0, columns > 0 else { throw fail(layer, "a constant \(name) needs its sizes (7=M 8=N 9=K)") }
                let count = try product(layer, [rows, columns])
                result = try weight("\(layer.name).\(name)", shape: [1, rows, columns], blob: try weights.tagged(count: count, layer: layer.name),
                                    layer: layer)
            } else {
                guard let blob = inputs.next() else { throw fail(layer, "Gemm lacks its \(name) blob") }
                result = value(blob)
                switch shape(of: blob).rank {
                case 2: break
                case 3:
                    let rowsOnly = fresh("\(output)_\(name)_rows")
                    emit("Squeeze", name: layer.name, inputs: [result, int64s("\(layer.name).h_axis", [2])], outputs: [rowsOnly])
                    result = rowsOnly
                default:
                    throw fail(layer, "Gemm's \(name) must be a 2-D blob or a 3-D one of single rows")
                }
            }
            if transposed {
                let swapped = fresh("\(output)_\(name)T")
                emit("Transpose", name: layer.name, inputs: [result], outputs: [swapped], attributes: [Attribute(name: "perm", value: .ints([0, 2, 1]))])
                result = swapped
            }
            return result
        }
        let transA = try int(layer, 2, 0) != 0
        let transB = try int(layer, 3, 0) != 0
        let a = try operand(constantA, rows: transA ? k : m, columns: transA ? m : k, transposed: transA, name: "A")
        let b = try operand(constantB, rows: transB ? n : k, columns: transB ? k : n, transposed: transB, name: "B")
        var result = fresh("\(output)_product")
        emit("MatMul", name: layer.name, inputs: [a, b], outputs: [result])
        var c: String?
        if let shape = constantCShape {
            c = try weight("\(layer.name).C", shape: shape, blob: try weights.tagged(count: try product(layer, shape), layer: layer.name),
                           layer: layer)
        } else if !constantC, let blob = inputs.next() {
            let shape = shape(of: blob)
            // ncnn picks per-row or per-column for a vector by comparing its length with M and N
            // at run time; only a 2-D C or a single value broadcasts the same way in ONNX.
            guard shape.rank == 2 || shape.sizes == [1] else { throw fail(layer, "a \(shape.rank)-D C blob of shape \(shape) is not supported") }
            c = value(blob)
        }
        if let c {
            var term = c
            let beta = try float(layer, 1, 1)
            if beta != 1 {
                term = fresh("\(output)_betaC")
                emit("Mul", name: layer.name, inputs: [c, floats("\(layer.name).beta", shape: [], [beta])], outputs: [term])
            }
            let sum = fresh("\(output)_sum")
            emit("Add", name: layer.name, inputs: [result, term], outputs: [sum])
            result = sum
        }
        let alpha = try float(layer, 0, 1)
        if alpha != 1 {
            let scaled = fresh("\(output)_alpha")
            emit("Mul", name: layer.name, inputs: [result, floats("\(layer.name).alpha", shape: [], [alpha])], outputs: [scaled])
            result = scaled
        }
        if try int(layer, 14, 0) != 0 {
            let swapped = fresh("\(output)_transposed")
            emit("Transpose", name: layer.name, inputs: [result], outputs: [swapped], attributes: [Attribute(name: "perm", value: .ints([0, 2, 1]))])
            result = swapped
        }
        // output_N1M writes [rows, 1, columns]: each row a channel.
        if try int(layer, 11, 0) != 0 {
            emit("Unsqueeze", name: layer.name, inputs: [result, int64s("\(layer.name).h_axis", [2])], outputs: [output])
        } else {
            emit("Identity", name: layer.name, inputs: [result], outputs: [output])
        }
    }
}
