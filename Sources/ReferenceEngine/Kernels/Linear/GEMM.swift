/// Single-precision matrix multiplication, `C = A·B` or `C += A·B`, blocked for the caches and
/// split across the run's threads.
///
/// A and B are read through strided views, so transposed operands cost nothing extra: both are
/// copied into contiguous panels (A in ``MicroKernel/rows``-row strips, B in
/// ``MicroKernel/columns``-column strips, zero-padded), and a register-tiled micro-kernel
/// multiplies one strip pair at a time. The B side is a ``PanelSource`` so that convolution can
/// pack image patches straight into panels (implicit im2col).
enum GEMM {
    /// Depth of one packed block: a B block of `depthBlock × columnBlock` floats stays in L2.
    static let depthBlock = 256
    static let columnBlock = 512
    static let rowBlock = 120

    /// `C[m×n] (+)= A[m×k] · B[k×n]`, C row-major with row stride `ldc`.
    /// - Parameter accumulate: add to C's contents instead of overwriting them.
    static func multiply<Source: PanelSource>(
        m: Int, n: Int, k: Int, a: MatrixView, b: Source, c: UnsafeMutablePointer<Float>, ldc: Int,
        accumulate: Bool, context: ExecutionContext
    ) {
        guard m > 0, n > 0 else { return }
        if k == 0 {
            if !accumulate { for i in 0..<m { (c + i * ldc).update(repeating: 0, count: n) } }
            return
        }
        if let blas = OpenBLAS.shared {
            multiply(m: m, n: n, k: k, a: a, b: b, c: c, ldc: ldc, accumulate: accumulate, blas: blas, context: context)
            return
        }
        // Split the larger side across threads, in whole micro-tiles.
        let splitColumns = n >= m
        let unit = splitColumns ? MicroKernel.columns : MicroKernel.rows
        let tiles = ((splitColumns ? n : m) + unit - 1) / unit
        let c = SendablePointer(c)
        // A task gets at least ~256K multiply-adds, so small products stay on one thread; split by
        // rows, each task packs all of B (image patches: the costly side), so one task per thread.
        let perTile = (splitColumns ? m : n) * unit * k
        let fewest = splitColumns ? 1 : (tiles + context.threads - 1) / context.threads
        context.parallelFor(tiles, minimumChunk: max(fewest, (1 << 18) / max(1, perTile))) { range in
            let lower = range.lowerBound * unit
            let upper = min(range.upperBound * unit, splitColumns ? n : m)
            if splitColumns {
                block(rows: 0..<m, columns: lower..<upper, k: k, a: a, b: b, c: c.pointer, ldc: ldc, accumulate: accumulate)
            } else {
                block(rows: lower..<upper, columns: 0..<n, k: k, a: a, b: b, c: c.pointer, ldc: ldc, accumulate: accumulate)
            }
        }
    }

    /// The product through OpenBLAS, one single-threaded call per share of C: column chunks, each
    /// with its own copy of a source that BLAS cannot read in place (image patches, about 8 MB at
    /// most), or row blocks of A against all of B when C is too narrow to split by columns.
    private static func multiply<Source: PanelSource>(
        m: Int, n: Int, k: Int, a: MatrixView, b: Source, c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool,
        blas: OpenBLAS, context: ExecutionContext
    ) {
        let threads = context.threads
        let c = SendablePointer(c)
        a.withBLASOperand(rows: m, columns: 0..<k) { aOperand in
            if threads > 1, n < threads * 64, m >= threads * 16 {
                b.withBLASOperand(rows: k, columns: 0..<n) { bOperand in
                    context.parallelFor(m, minimumChunk: 16) { rows in
                        blas.multiply(
                            m: rows.count, n: n, k: k, a: aOperand.rows(from: rows.lowerBound), b: bOperand,
                            c: c.pointer + rows.lowerBound * ldc, ldc: ldc, accumulate: accumulate)
                    }
                }
                return
            }
            let widest = max(MicroKernel.columns, (2 << 20) / k)
            let parts = max(min(threads, (n + MicroKernel.columns - 1) / MicroKernel.columns), (n + widest - 1) / widest)
            let width = (n + parts - 1) / parts
            context.parallelFor(parts) { range in
                for part in range {
                    let columns = (part * width)..<min(n, (part + 1) * width)
                    guard !columns.isEmpty else { continue }
                    b.withBLASOperand(rows: k, columns: columns) { bOperand in
                        blas.multiply(
                            m: m, n: columns.count, k: k, a: aOperand, b: bOperand, c: c.pointer + columns.lowerBound,
                            ldc: ldc, accumulate: accumulate)
                    }
                }
            }
        }
    }

    /// One thread's share: C[rows, columns], looping over cache blocks.
    private static func block<Source: PanelSource>(
        rows: Range<Int>, columns: Range<Int>, k: Int, a: MatrixView, b: Source, c: UnsafeMutablePointer<Float>,
        ldc: Int, accumulate: Bool
    ) {
        let mr = MicroKernel.rows
        let nr = MicroKernel.columns
        let packedB = UnsafeMutablePointer<Float>.allocate(capacity: depthBlock * (columnBlock + nr))
        let packedA = UnsafeMutablePointer<Float>.allocate(capacity: depthBlock * (rowBlock + mr))
        defer {
            packedB.deallocate()
            packedA.deallocate()
        }
        var jc = columns.lowerBound
        while jc < columns.upperBound {
            let nc = min(columnBlock, columns.upperBound - jc)
            var pc = 0
            while pc < k {
                let kc = min(depthBlock, k - pc)
                var jr = 0
                while jr < nc {
                    b.pack(depth: pc..<(pc + kc), columns: (jc + jr)..<(jc + min(jr + nr, nc)), into: packedB + jr * kc)
                    jr += nr
                }
                let add = accumulate || pc > 0
                var ic = rows.lowerBound
                while ic < rows.upperBound {
                    let mc = min(rowBlock, rows.upperBound - ic)
                    var ir = 0
                    while ir < mc {
                        a.packRows((ic + ir)..<(ic + min(ir + mr, mc)), depth: pc..<(pc + kc), into: packedA + ir * kc)
                        ir += mr
                    }
                    jr = 0
                    while jr < nc {
                        ir = 0
                        while ir < mc {
                            MicroKernel.run(
                                depth: kc, a: packedA + ir * kc, b: packedB + jr * kc, c: c + (ic + ir) * ldc + jc + jr,
                                ldc: ldc, rows: min(mr, mc - ir), columns: min(nr, nc - jr), accumulate: add)
                            ir += mr
                        }
                        jr += nr
                    }
                    ic += mc
                }
                pc += kc
            }
            jc += nc
        }
    }
}

/// A pointer that may cross into the worker threads of one parallel loop, each of which
/// writes a disjoint part of the memory.
struct SendablePointer: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Float>
    init(_ pointer: UnsafeMutablePointer<Float>) { self.pointer = pointer }
}

/// Where the B operand's panels come from.
protocol PanelSource {
    /// Writes B[depth, columns] into `destination` as `depth.count` rows of
    /// ``MicroKernel/columns`` floats, zero-filling columns past `columns.count`.
    func pack(depth: Range<Int>, columns: Range<Int>, into destination: UnsafeMutablePointer<Float>)

    /// Calls `body` with B[0..<rows, columns] as ``OpenBLAS`` reads it: the source's own memory
    /// where its layout allows, else a row-major copy that lives for the call.
    func withBLASOperand(rows: Int, columns: Range<Int>, _ body: (OpenBLAS.Operand) -> Void)
}

/// A matrix read through strides: element (i, j) is `base[i × rowStride + j × columnStride]`.
struct MatrixView: PanelSource, @unchecked Sendable {
    let base: UnsafePointer<Float>
    let rowStride: Int
    let columnStride: Int

    /// A row-major matrix with `columns` columns, or its transpose.
    init(_ base: UnsafePointer<Float>, columns: Int, transposed: Bool = false) {
        self.base = base
        rowStride = transposed ? 1 : columns
        columnStride = transposed ? columns : 1
    }

    init(base: UnsafePointer<Float>, rowStride: Int, columnStride: Int) {
        self.base = base
        self.rowStride = rowStride
        self.columnStride = columnStride
    }

    func pack(depth: Range<Int>, columns: Range<Int>, into destination: UnsafeMutablePointer<Float>) {
        let nr = MicroKernel.columns
        var out = destination
        var p = depth.lowerBound
        while p < depth.upperBound {
            var source = base + p * rowStride + columns.lowerBound * columnStride
            var j = 0
            while j < columns.count {
                out[j] = source.pointee
                source += columnStride
                j += 1
            }
            while j < nr {
                out[j] = 0
                j += 1
            }
            out += nr
            p += 1
        }
    }

    func withBLASOperand(rows: Int, columns: Range<Int>, _ body: (OpenBLAS.Operand) -> Void) {
        let first = base + columns.lowerBound * columnStride
        if columnStride == 1, rowStride >= max(1, columns.count) {
            body(OpenBLAS.Operand(pointer: first, transposed: false, leadingDimension: rowStride))
        } else if rowStride == 1, columnStride >= max(1, rows) {
            body(OpenBLAS.Operand(pointer: first, transposed: true, leadingDimension: columnStride))
        } else {
            // Broadcast or otherwise strided views: copied row-major.
            let copy = UnsafeMutablePointer<Float>.allocate(capacity: rows * columns.count)
            defer { copy.deallocate() }
            for i in 0..<rows {
                for j in 0..<columns.count { copy[i * columns.count + j] = first[i * rowStride + j * columnStride] }
            }
            body(OpenBLAS.Operand(pointer: copy, transposed: false, leadingDimension: columns.count))
        }
    }

    /// Writes A[rows, depth] as `depth.count` groups of ``MicroKernel/rows`` floats, zero-padded.
    func packRows(_ rows: Range<Int>, depth: Range<Int>, into destination: UnsafeMutablePointer<Float>) {
        let mr = MicroKernel.rows
        var r = 0
        while r < mr {
            var out = destination + r
            if r < rows.count {
                var source = base + (rows.lowerBound + r) * rowStride + depth.lowerBound * columnStride
                var p = 0
                while p < depth.count {
                    out.pointee = source.pointee
                    source += columnStride
                    out += mr
                    p += 1
                }
            } else {
                var p = 0
                while p < depth.count {
                    out.pointee = 0
                    out += mr
                    p += 1
                }
            }
            r += 1
        }
    }
}
