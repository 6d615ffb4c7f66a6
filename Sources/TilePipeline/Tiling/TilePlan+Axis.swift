/// The rules that size a window along one axis.
struct AxisLimits {
    var margin: Int
    var multipleOf: Int
    var minTile: Int?
    var maxTile: Int?
}

/// Tiles along one axis: one window size, and for each tile the window's origin and the core it owns.
struct AxisPlan {
    struct Span {
        var origin: Int
        var coreStart: Int
        var coreEnd: Int
    }

    let window: Int
    let spans: [Span]

    /// Covers [`start`, `end`) of an axis `extent` pixels long (a multiple of `multipleOf`).
    ///
    /// Walks from `start`: each window begins `margin` before the first pixel not yet covered
    /// (rounded down to a multiple of `multipleOf`, and shifted inward at the far edge), and its
    /// core runs to `margin` before the window's end, or to the axis end where the window touches it.
    init(extent: Int, start: Int, end: Int, core: Int, limits: AxisLimits) throws(TilingError) {
        let k = limits.multipleOf
        let margin = limits.margin
        var window = TilePlan.roundUp(max(min(core, end - start), k) + 2 * margin, to: k)
        if let minTile = limits.minTile { window = max(window, TilePlan.roundUp(minTile, to: k)) }
        if let maxTile = limits.maxTile { window = min(window, maxTile / k * k) }
        window = min(window, extent)
        // A window shorter than the axis must fit both margins and a core of at least one step.
        guard window == extent || window >= 2 * margin + k else {
            throw .windowTooSmall(limit: window, margin: margin, multipleOf: k)
        }
        var spans: [Span] = []
        var position = start
        while position < end {
            let aligned = position - margin > 0 ? (position - margin) / k * k : 0
            let origin = min(aligned, extent - window)
            let validEnd = origin + window == extent ? extent : origin + window - margin
            let coreEnd = min(end, validEnd)
            guard coreEnd > position else { throw .windowTooSmall(limit: window, margin: margin, multipleOf: k) }
            spans.append(Span(origin: origin, coreStart: position, coreEnd: coreEnd))
            position = coreEnd
        }
        self.window = window
        self.spans = spans
    }
}
