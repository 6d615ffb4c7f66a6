public import ArgumentParser
import Tessera

/// `--input-shape name=1x3x256x256`: a static shape for one model input.
struct InputShapeOption: ExpressibleByArgument, Sendable {
    var name: String
    var dims: [Dim]

    init?(argument: String) {
        guard let equals = argument.lastIndex(of: "=") else { return nil }
        name = String(argument[..<equals])
        let sizes = argument[argument.index(after: equals)...].split(separator: "x", omittingEmptySubsequences: false)
        let values = sizes.compactMap { Int($0) }.filter { $0 > 0 && $0 <= 1 << 31 }
        guard !name.isEmpty, !sizes.isEmpty, values.count == sizes.count else { return nil }
        dims = values.map(Dim.value)
    }

    static var defaultCompletionKind: CompletionKind { .default }
}

extension Array where Element == InputShapeOption {
    /// The shapes keyed by input name; a name given twice keeps its last shape.
    var byName: [String: [Dim]] {
        Dictionary(map { ($0.name, $0.dims) }, uniquingKeysWith: { _, last in last })
    }
}

extension SessionOptions.Precision: ExpressibleByArgument {}
