import TensorCore

/// MatMul (numpy semantics: 1-D operands promoted, batch axes broadcast) and Gemm.
enum MatMulKernels {
    /// `a · b` for float values of any rank.
    static func matmul(_ a: NDArray, _ b: NDArray, context: ExecutionContext) throws -> NDArray {
        guard a.rank >= 1, b.rank >= 1 else { throw KernelError.invalid("MatMul needs operands of rank 1 or more") }
        let aShape = a.rank == 1 ? [1, a.shape[0]] : a.shape
        let bShape = b.rank == 1 ? [b.shape[0], 1] : b.shape
        let (m, k) = (aShape[aShape.count - 2], aShape[aShape.count - 1])
        let (k2, n) = (bShape[bShape.count - 2], bShape[bShape.count - 1])
        guard k == k2 else { throw KernelError.shapeMismatch("\(a.shape) · \(b.shape): inner sizes \(k) and \(k2) differ") }
        let batchShape = try ShapeMath.broadcast([Array(aShape.dropLast(2)), Array(bShape.dropLast(2))])
        let batches = batchShape.product
        let aBatch = ShapeMath.broadcastStrides(Array(aShape.dropLast(2)), to: batchShape)
        let bBatch = ShapeMath.broadcastStrides(Array(bShape.dropLast(2)), to: batchShape)
        let av = try a.floats()
        let bv = try b.floats()
        var result = context.floats(batches * m * n)
        av.withUnsafeBufferPointer { ab in
            bv.withUnsafeBufferPointer { bb in
                result.withUnsafeMutableBufferPointer { cb in
                    guard let ap = ab.baseAddress, let bp = bb.baseAddress, let cp = cb.baseAddress else { return }
                    var index = 0
                    ShapeMath.forEachRow(batchShape + [1], inputStrides: [aBatch + [0], bBatch + [0]]) { _, offsets in
                        GEMM.multiply(
                            m: m, n: n, k: k, a: MatrixView(ap + offsets[0] * m * k, columns: k),
                            b: MatrixView(bp + offsets[1] * k * n, columns: n), c: cp + index * m * n, ldc: n,
                            accumulate: false, context: context)
                        index += 1
                    }
                }
            }
        }
        var shape = batchShape
        if a.rank > 1 { shape.append(m) }
        if b.rank > 1 { shape.append(n) }
        return NDArray(floats: result, shape: shape, type: a.dataType)
    }

    /// Gemm: `alpha · op(A) · op(B) + beta · C`, C broadcast to the result.
    static func gemm(_ node: NodeContext) throws(ReferenceEngineError) -> Kernel {
        let alpha = try node.float("alpha", default: 1)
        let beta = try node.float("beta", default: 1)
        let transA = try node.int("transA", default: 0) != 0
        let transB = try node.int("transB", default: 0) != 0
        return { inputs, context in
            let a = try inputs.at(0)
            let b = try inputs.at(1)
            guard a.rank == 2, b.rank == 2 else { throw KernelError.invalid("Gemm takes 2-D operands, got \(a.shape) and \(b.shape)") }
            let (m, k) = transA ? (a.shape[1], a.shape[0]) : (a.shape[0], a.shape[1])
            let (k2, n) = transB ? (b.shape[1], b.shape[0]) : (b.shape[0], b.shape[1])
            guard k == k2 else { throw KernelError.shapeMismatch("Gemm inner sizes \(k) and \(k2) differ") }
            let av = try a.floats()
            let bv = try b.floats()
            var result = context.floats(m * n)
            av.withUnsafeBufferPointer { ab in
                bv.withUnsafeBufferPointer { bb in
                    result.withUnsafeMutableBufferPointer { cb in
                        guard let ap = ab.baseAddress, let bp = bb.baseAddress, let cp = cb.baseAddress else { return }
                        GEMM.multiply(
                            m: m, n: n, k: k, a: MatrixView(ap, columns: a.shape[1], transposed: transA),
                            b: MatrixView(bp, columns: b.shape[1], transposed: transB), c: cp, ldc: n, accumulate: false,
                            context: context)
                    }
                }
            }
            if alpha != 1 { for i in result.indices { result[i] *= alpha } }
            if let c = inputs.optional(2), beta != 0 {
                let cv = try c.floats()
                let (sum, _) = try Broadcast.binary(result, [m, n], cv, c.shape, context: context) { $0 + beta * $1 }
                guard sum.count == m * n else { throw KernelError.shapeMismatch("C \(c.shape) does not broadcast to [\(m), \(n)]") }
                result = sum
            }
            return [NDArray(floats: result, shape: [m, n], type: a.dataType)]
        }
    }
}

extension OperatorRegistry {
    /// Convolutions and matrix products.
    mutating func registerLinear() {
        register("Conv") { node throws(ReferenceEngineError) in
            let kernel = try ConvKernel(node)
            return { inputs, context in try kernel.run(inputs, context) }
        }
        register("ConvTranspose") { node throws(ReferenceEngineError) in
            let kernel = try ConvTransposeKernel(node)
            return { inputs, context in try kernel.run(inputs, context) }
        }
        register("MatMul") { _ in
            { inputs, context in [try MatMulKernels.matmul(try inputs.at(0), try inputs.at(1), context: context)] }
        }
        register("Gemm") { node throws(ReferenceEngineError) in try MatMulKernels.gemm(node) }
    }
}
