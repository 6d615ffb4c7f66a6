/// What the importer knows of an ncnn blob's shape without running the network: its rank (ncnn's
/// `dims`, 1 to 4) and the sizes the `.param` file fixes, outermost first — `[w]`, `[h, w]`,
/// `[c, h, w]` or `[c, d, h, w]` — with `nil` where only the input image decides.
///
/// ncnn layers change meaning with the rank (a 1-D blob is a vector that BinaryOp broadcasts per
/// channel, Crop's offsets name different axes), and the `.param` does not record ranks, so the
/// importer follows them layer by layer. The ONNX value of a rank-r blob has rank r + 1: a batch
/// axis comes first.
struct NCNNBlobShape: Sendable, Hashable, CustomStringConvertible {
    var sizes: [Int?]

    var rank: Int { sizes.count }
    /// The outermost size: channels of a 3-D or 4-D blob, rows of a 2-D one, length of a vector.
    var outer: Int? { sizes.first ?? nil }

    static func unknown(rank: Int) -> NCNNBlobShape { NCNNBlobShape(sizes: Array(repeating: nil, count: rank)) }

    /// An image-like blob with `channels` known or not.
    static func image(channels: Int?) -> NCNNBlobShape { NCNNBlobShape(sizes: [channels, nil, nil]) }

    /// The size of ncnn's axis named `axis` ("w", "h", "d" or "c"), if this rank has it.
    func size(named axis: Character) -> Int?? {
        guard let index = Self.index(of: axis, rank: rank) else { return nil }
        return .some(sizes[index])
    }

    /// Where ncnn's named axis sits in a blob of `rank`, outermost first.
    static func index(of axis: Character, rank: Int) -> Int? { axisNames(rank: rank).firstIndex(of: axis) }

    /// ncnn's axis names of a blob of `rank`, outermost first.
    static func axisNames(rank: Int) -> [Character] {
        switch rank {
        case 1: ["w"]
        case 2: ["h", "w"]
        case 3: ["c", "h", "w"]
        default: ["c", "d", "h", "w"]
        }
    }

    var description: String { "[" + sizes.map { $0.map(String.init) ?? "?" }.joined(separator: ", ") + "]" }
}
