import ArgumentParser
import Tessera

/// `--tolerance atol=1e-4,rtol=1e-3`: how close outputs must be (either part may be left out).
struct ToleranceOption: ExpressibleByArgument, Sendable {
    var tolerance: Tolerance

    init(_ tolerance: Tolerance) { self.tolerance = tolerance }

    init?(argument: String) {
        var tolerance = Tolerance(relative: 0, absolute: 0)
        for part in argument.split(separator: ",") {
            let pieces = part.split(separator: "=", maxSplits: 1).map(String.init)
            guard pieces.count == 2, let value = Double(pieces[1]), value >= 0, value.isFinite else { return nil }
            switch pieces[0] {
            case "atol", "abs": tolerance.absolute = value
            case "rtol", "rel": tolerance.relative = value
            default: return nil
            }
        }
        guard !argument.isEmpty else { return nil }
        self.tolerance = tolerance
    }

    var defaultValueDescription: String { "atol=\(tolerance.absolute),rtol=\(tolerance.relative)" }
}
