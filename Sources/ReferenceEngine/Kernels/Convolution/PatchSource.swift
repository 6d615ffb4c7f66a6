/// The im2col matrix of one image and group, read on demand while GEMM packs its panels, so the
/// whole patch matrix is never materialised.
///
/// Row `p` is (channel, ky, kx) of the kernel window; column `j` is output position (oy, ox);
/// the element is the input pixel under that tap, or 0 in the padding.
struct PatchSource: PanelSource, @unchecked Sendable {
    let input: UnsafePointer<Float>
    let height: Int
    let width: Int
    let kernelHeight: Int
    let kernelWidth: Int
    let strideY: Int
    let strideX: Int
    let dilationY: Int
    let dilationX: Int
    let padTop: Int
    let padLeft: Int
    let outputWidth: Int

    func pack(depth: Range<Int>, columns: Range<Int>, into destination: UnsafeMutablePointer<Float>) {
        let nr = MicroKernel.columns
        let firstY = columns.lowerBound / outputWidth
        let firstX = columns.lowerBound - firstY * outputWidth
        // A full strip within one output row reads one contiguous run of input pixels per tap
        // (stride 1) wherever the run lies inside the image: most strips of most convolutions.
        let contiguous = strideX == 1 && columns.count == nr && firstX + nr <= outputWidth
        var out = destination
        var p = depth.lowerBound
        while p < depth.upperBound {
            let (plane, offsetY, offsetX) = tap(p)
            let y = firstY * strideY + offsetY
            let x = firstX + offsetX
            if contiguous && y >= 0 && y < height && x >= 0 && x + nr <= width {
                out.update(from: plane + y * width + x, count: nr)
            } else {
                gather(plane: plane, offsetY: offsetY, offsetX: offsetX, firstY: firstY, firstX: firstX, count: columns.count, into: out)
            }
            out += nr
            p += 1
        }
    }

    /// Row `p` of the patch matrix: the input plane of its channel and where its kernel tap sits
    /// relative to an output position (times the stride).
    @inline(__always)
    private func tap(_ p: Int) -> (plane: UnsafePointer<Float>, offsetY: Int, offsetX: Int) {
        let window = kernelHeight * kernelWidth
        let channel = p / window
        let tap = p - channel * window
        let ky = tap / kernelWidth
        let kx = tap - ky * kernelWidth
        return (input + channel * height * width, ky * dilationY - padTop, kx * dilationX - padLeft)
    }

    /// The patch matrix's `rows` × `columns` block written row-major (explicit im2col), for BLAS.
    func withBLASOperand(rows: Int, columns: Range<Int>, _ body: (OpenBLAS.Operand) -> Void) {
        let count = columns.count
        let buffer = UnsafeMutablePointer<Float>.allocate(capacity: rows * count)
        defer { buffer.deallocate() }
        for p in 0..<rows {
            let (plane, offsetY, offsetX) = tap(p)
            var out = buffer + p * count
            var oy = columns.lowerBound / outputWidth
            var ox = columns.lowerBound - oy * outputWidth
            var left = count
            while left > 0 {
                // The rest of output row `oy` within the block.
                let span = min(left, outputWidth - ox)
                let y = oy * strideY + offsetY
                if y < 0 || y >= height {
                    out.update(repeating: 0, count: span)
                } else {
                    // Input column of output column ox + j is base + j·strideX: the leading and
                    // trailing j that fall in the padding, then a plain (strided) copy between.
                    let base = ox * strideX + offsetX
                    let lead = min(span, base >= 0 ? 0 : (strideX - 1 - base) / strideX)
                    let end = max(lead, min(span, width <= base ? 0 : (width - base + strideX - 1) / strideX))
                    let row = plane + y * width + base
                    out.update(repeating: 0, count: lead)
                    if strideX == 1 {
                        (out + lead).update(from: row + lead, count: end - lead)
                    } else {
                        for j in lead..<end { out[j] = row[j * strideX] }
                    }
                    (out + end).update(repeating: 0, count: span - end)
                }
                out += span
                left -= span
                ox = 0
                oy += 1
            }
        }
        body(OpenBLAS.Operand(pointer: buffer, transposed: false, leadingDimension: count))
    }

    /// One tap's row of the panel pixel by pixel, zero in the padding and past `count` up to a
    /// full strip.
    private func gather(
        plane: UnsafePointer<Float>, offsetY: Int, offsetX: Int, firstY: Int, firstX: Int, count: Int,
        into out: UnsafeMutablePointer<Float>
    ) {
        var oy = firstY
        var ox = firstX
        var j = 0
        while j < count {
            let y = oy * strideY + offsetY
            let x = ox * strideX + offsetX
            out[j] = (y >= 0 && y < height && x >= 0 && x < width) ? plane[y * width + x] : 0
            ox += 1
            if ox == outputWidth {
                ox = 0
                oy += 1
            }
            j += 1
        }
        while j < MicroKernel.columns {
            out[j] = 0
            j += 1
        }
    }
}
