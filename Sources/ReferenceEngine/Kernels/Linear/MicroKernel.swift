internal import CTesseraKernels

/// The register-tiled inner loop of ``GEMM``: a `rows × columns` tile of C from one packed strip
/// of A and one of B.
///
/// The tile itself is C (`CTesseraKernels`): one source compiled for AVX2+FMA and for the
/// baseline instruction set, the faster one picked once per process.
enum MicroKernel {
    static let rows = TESSERA_TILE_ROWS
    static let columns = TESSERA_TILE_COLUMNS

    nonisolated(unsafe) private static let tile: tessera_tile_kernel = tessera_select_tile_kernel()

    /// C[0..<rows, 0..<columns] (+)= Σ_p a[p][r] × b[p][c] over `depth` packed steps.
    @inline(__always)
    static func run(
        depth: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>, ldc: Int,
        rows: Int, columns: Int, accumulate: Bool
    ) {
        tile(depth, a, b, c, ldc, Int32(rows), Int32(columns), accumulate ? 1 : 0)
    }
}
