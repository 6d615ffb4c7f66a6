import Foundation
import InferenceRuntime

/// Debian's OpenBLAS (`libopenblas0-pthread`), opened at run time when installed: its `sgemm`
/// beats ``GEMM``'s own blocking by 1.2–1.4× on this engine's models, im2col included (measured in
/// BENCHMARKS.md), so matrix products go to it when present and to ``GEMM`` otherwise, and the
/// engine needs no library to work. `TESSERA_REFERENCE_GEMM=builtin` keeps the built-in kernel.
///
/// OpenBLAS runs single-threaded: the engine's own threads each call it on their share of the
/// product (``GEMM``), so no OpenBLAS worker spins between products while the engine's other
/// kernels want the cores.
struct OpenBLAS: Sendable {
    private typealias SGEMM = @convention(c) (
        Int32, Int32, Int32, Int32, Int32, Int32, Float, UnsafePointer<Float>?, Int32, UnsafePointer<Float>?, Int32,
        Float, UnsafeMutablePointer<Float>?, Int32
    ) -> Void
    private typealias SetThreads = @convention(c) (Int32) -> Void

    private let sgemm: SGEMM
    /// The name it was opened by, which `tessera devices` shows as the reference engine's library.
    let path: String

    /// The library, or `nil` when it is not installed or the built-in kernel was asked for.
    static let shared: OpenBLAS? = load()

    private static func load() -> OpenBLAS? {
        if ProcessInfo.processInfo.environment["TESSERA_REFERENCE_GEMM"] == "builtin" { return nil }
        for name in ["libopenblas.so.0", "libopenblas.so"] {
            guard let library = try? DynamicLibrary(path: name),
                let sgemm = library.symbol("cblas_sgemm"), let threads = library.symbol("openblas_set_num_threads")
            else { continue }
            unsafeBitCast(threads, to: SetThreads.self)(1)
            return OpenBLAS(sgemm: unsafeBitCast(sgemm, to: SGEMM.self), path: name)
        }
        return nil
    }

    /// One operand as BLAS takes it: row-major storage, possibly transposed, with its row stride.
    struct Operand {
        let pointer: UnsafePointer<Float>
        let transposed: Bool
        let leadingDimension: Int

        /// The operand from row `row` on.
        func rows(from row: Int) -> Operand {
            Operand(pointer: pointer + (transposed ? row : row * leadingDimension), transposed: transposed, leadingDimension: leadingDimension)
        }
    }

    /// `C[m×n] (+)= A · B`, C row-major with row stride `ldc`, on the calling thread.
    func multiply(
        m: Int, n: Int, k: Int, a: Operand, b: Operand, c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool
    ) {
        let rowMajor: Int32 = 101
        let transpose = { (operand: Operand) -> Int32 in operand.transposed ? 112 : 111 }
        sgemm(
            rowMajor, transpose(a), transpose(b), Int32(m), Int32(n), Int32(k), 1, a.pointer, Int32(a.leadingDimension),
            b.pointer, Int32(b.leadingDimension), accumulate ? 1 : 0, c, Int32(ldc))
    }
}
