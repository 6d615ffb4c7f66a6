/// One of the eight symmetries of a rectangle: optional horizontal and vertical flips, then an
/// optional transpose. Test-time augmentation runs a model on all eight and averages.
struct Dihedral: Hashable {
    var flipX: Bool
    var flipY: Bool
    var transpose: Bool

    /// The four flips (identity included) with or without a transpose.
    static func group(transposed: Bool) -> [Dihedral] {
        [(false, false), (true, false), (false, true), (true, true)].map {
            Dihedral(flipX: $0.0, flipY: $0.1, transpose: transposed)
        }
    }

    /// Reads the transformed version of a `height` × `width` plane.
    func forward(height: Int, width: Int) -> PlaneGather {
        let rowBase = flipY ? (height - 1) * width : 0
        let rowStep = flipY ? -width : width
        let columnBase = flipX ? width - 1 : 0
        let columnStep = flipX ? -1 : 1
        return transpose
            ? PlaneGather(base: rowBase + columnBase, rowStep: columnStep, columnStep: rowStep, rows: width, columns: height)
            : PlaneGather(base: rowBase + columnBase, rowStep: rowStep, columnStep: columnStep, rows: height, columns: width)
    }

    /// Reads a `height` × `width` plane back out of its transformed version.
    func inverse(height: Int, width: Int) -> PlaneGather {
        guard transpose else { return forward(height: height, width: width) }
        // The transformed plane is `width` rows of `height`; pixel (y, x) sits at row x', column y'.
        return PlaneGather(
            base: (flipX ? (width - 1) * height : 0) + (flipY ? height - 1 : 0),
            rowStep: flipY ? -1 : 1, columnStep: flipX ? -height : height, rows: height, columns: width)
    }
}

/// A strided read of one plane: `out[i][j] = plane[base + i × rowStep + j × columnStep]`.
struct PlaneGather {
    var base: Int
    var rowStep: Int
    var columnStep: Int
    var rows: Int
    var columns: Int

    /// Writes (or, with `adding`, adds) the gathered plane to `target`, row-major.
    func apply(_ plane: UnsafePointer<Float>, to target: UnsafeMutablePointer<Float>, adding: Bool) {
        for i in 0..<rows {
            let source = plane + base + i * rowStep
            let row = target + i * columns
            for j in 0..<columns {
                let value = source[j * columnStep]
                row[j] = adding ? row[j] + value : value
            }
        }
    }
}
