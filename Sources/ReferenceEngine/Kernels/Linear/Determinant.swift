import Foundation
import TensorCore

/// Det: the determinant of each square matrix in the last two axes, by LU decomposition with
/// partial pivoting in double precision (float32 elimination loses digits on ill-conditioned
/// matrices).
enum DeterminantKernel {
    static func determinant(_ matrix: [Double], size: Int) -> Double {
        var a = matrix
        var result = 1.0
        for column in 0..<size {
            let pivot = (column..<size).max { abs(a[$0 * size + column]) < abs(a[$1 * size + column]) }!
            if a[pivot * size + column] == 0 { return 0 }
            if pivot != column {
                for k in 0..<size { a.swapAt(pivot * size + k, column * size + k) }
                result = -result
            }
            let diagonal = a[column * size + column]
            result *= diagonal
            for row in (column + 1)..<size {
                let factor = a[row * size + column] / diagonal
                if factor == 0 { continue }
                for k in column..<size { a[row * size + k] -= factor * a[column * size + k] }
            }
        }
        return result
    }

    static let kernel: Kernel = { inputs, _ in
        let x = try inputs.at(0)
        guard x.rank >= 2, x.shape[x.rank - 1] == x.shape[x.rank - 2] else {
            throw KernelError.shapeMismatch("Det needs square matrices in the last two axes, got \(x.shape)")
        }
        let size = x.shape[x.rank - 1]
        let values = try x.floats()
        let count = x.shape.dropLast(2).product
        let result = (0..<count).map { index in
            Float(determinant(values[(index * size * size)..<((index + 1) * size * size)].map { Double($0) }, size: size))
        }
        return [NDArray(floats: result, shape: Array(x.shape.dropLast(2)), type: x.dataType)]
    }
}

extension OperatorRegistry {
    mutating func registerDeterminant() {
        register("Det", since: 11) { _ in DeterminantKernel.kernel }
    }
}
