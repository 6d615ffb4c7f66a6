/// The register-tiled inner loop of ``GEMM``: a `rows × columns` tile of C from one packed strip
/// of A and one of B.
///
/// Optimised builds use SIMD vectors (6 rows × 8 columns, twelve SSE registers of
/// accumulators). Unoptimised (debug) builds do not inline SIMD operations, which makes them
/// several times slower than plain scalar code there, so those builds use a 4 × 4 scalar tile;
/// both compute the same sums in the same order of depth.
enum MicroKernel {
    #if DEBUG
        static let rows = 4
        static let columns = 4
    #else
        static let rows = 6
        static let columns = 8
    #endif

    /// C[0..<rows, 0..<columns] (+)= Σ_p a[p][r] × b[p][c] over `depth` packed steps.
    @inline(__always)
    static func run(
        depth: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>, ldc: Int,
        rows: Int, columns: Int, accumulate: Bool
    ) {
        #if DEBUG
            scalar(depth: depth, a: a, b: b, c: c, ldc: ldc, rows: rows, columns: columns, accumulate: accumulate)
        #else
            vector(depth: depth, a: a, b: b, c: c, ldc: ldc, rows: rows, columns: columns, accumulate: accumulate)
        #endif
    }

    #if DEBUG
        private static func scalar(
            depth: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>, ldc: Int,
            rows: Int, columns: Int, accumulate: Bool
        ) {
            var c00: Float = 0, c01: Float = 0, c02: Float = 0, c03: Float = 0
            var c10: Float = 0, c11: Float = 0, c12: Float = 0, c13: Float = 0
            var c20: Float = 0, c21: Float = 0, c22: Float = 0, c23: Float = 0
            var c30: Float = 0, c31: Float = 0, c32: Float = 0, c33: Float = 0
            var pa = a
            var pb = b
            let end = a + depth &* 4
            while pa < end {
                let a0 = pa[0], a1 = pa[1], a2 = pa[2], a3 = pa[3]
                let b0 = pb[0], b1 = pb[1], b2 = pb[2], b3 = pb[3]
                c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3
                c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3
                c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3
                c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3
                pa += 4
                pb += 4
            }
            store(c00, c01, c02, c03, row: c, columns: columns, accumulate: accumulate)
            if rows > 1 { store(c10, c11, c12, c13, row: c + ldc, columns: columns, accumulate: accumulate) }
            if rows > 2 { store(c20, c21, c22, c23, row: c + 2 * ldc, columns: columns, accumulate: accumulate) }
            if rows > 3 { store(c30, c31, c32, c33, row: c + 3 * ldc, columns: columns, accumulate: accumulate) }
        }

        private static func store(
            _ v0: Float, _ v1: Float, _ v2: Float, _ v3: Float, row: UnsafeMutablePointer<Float>, columns: Int,
            accumulate: Bool
        ) {
            if accumulate {
                row[0] += v0
                if columns > 1 { row[1] += v1 }
                if columns > 2 { row[2] += v2 }
                if columns > 3 { row[3] += v3 }
            } else {
                row[0] = v0
                if columns > 1 { row[1] = v1 }
                if columns > 2 { row[2] = v2 }
                if columns > 3 { row[3] = v3 }
            }
        }
    #else
        private static func vector(
            depth: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>, ldc: Int,
            rows: Int, columns: Int, accumulate: Bool
        ) {
            typealias V = SIMD8<Float>
            var c0 = V(), c1 = V(), c2 = V(), c3 = V(), c4 = V(), c5 = V()
            var pa = a
            var pb = UnsafeRawPointer(b)
            var p = 0
            while p < depth {
                let bv = pb.loadUnaligned(as: V.self)
                c0 += V(repeating: pa[0]) * bv
                c1 += V(repeating: pa[1]) * bv
                c2 += V(repeating: pa[2]) * bv
                c3 += V(repeating: pa[3]) * bv
                c4 += V(repeating: pa[4]) * bv
                c5 += V(repeating: pa[5]) * bv
                pa += 6
                pb += 32
                p += 1
            }
            store(c0, row: c, columns: columns, accumulate: accumulate)
            if rows > 1 { store(c1, row: c + ldc, columns: columns, accumulate: accumulate) }
            if rows > 2 { store(c2, row: c + 2 * ldc, columns: columns, accumulate: accumulate) }
            if rows > 3 { store(c3, row: c + 3 * ldc, columns: columns, accumulate: accumulate) }
            if rows > 4 { store(c4, row: c + 4 * ldc, columns: columns, accumulate: accumulate) }
            if rows > 5 { store(c5, row: c + 5 * ldc, columns: columns, accumulate: accumulate) }
        }

        @inline(__always)
        private static func store(_ value: SIMD8<Float>, row: UnsafeMutablePointer<Float>, columns: Int, accumulate: Bool) {
            if columns == 8 {
                let raw = UnsafeMutableRawPointer(row)
                raw.storeBytes(of: accumulate ? raw.loadUnaligned(as: SIMD8<Float>.self) + value : value, as: SIMD8<Float>.self)
            } else {
                for j in 0..<columns { row[j] = accumulate ? row[j] + value[j] : value[j] }
            }
        }
    #endif
}
