import Foundation
import TensorCore

/// StringNormalizer, StringConcat and StringSplit: the text operators, on UTF-8 elements.
enum StringKernels {
    static func texts(_ x: NDArray) throws(KernelError) -> [String] {
        guard case .string(let values) = x.storage else { throw .unsupportedType(x.dataType) }
        return values.map { String(decoding: $0, as: UTF8.self) }
    }

    static func array(_ texts: [String], shape: [Int]) -> NDArray {
        NDArray(dataType: .string, shape: shape, storage: .string(texts.map { Data($0.utf8) }))
    }

    /// Drops the elements equal to a stop word (ignoring case unless `caseSensitive`), then
    /// changes the case of the rest; X is [C] or [1, C], and an empty result is one empty string.
    static func normalizer(_ node: NodeContext) throws(ReferenceEngineError) -> Kernel {
        let action = try node.choice("case_change_action", default: "NONE", in: ["NONE", "LOWER", "UPPER"])
        let caseSensitive = try node.int("is_case_sensitive", default: 0) != 0
        let stopwords: [String]
        if let attribute = node.node.attribute("stopwords") {
            guard case .strings(let values) = attribute.value else { throw node.invalid("attribute 'stopwords' must be STRINGS") }
            stopwords = values.map { String(decoding: $0, as: UTF8.self) }
        } else {
            stopwords = []
        }
        let stops = Set(caseSensitive ? stopwords : stopwords.map { $0.lowercased() })
        return { inputs, _ in
            let x = try inputs.at(0)
            guard x.rank == 1 || (x.rank == 2 && x.shape[0] == 1) else {
                throw KernelError.shapeMismatch("X must be [C] or [1, C], got \(x.shape)")
            }
            var kept = try texts(x).filter { !stops.contains(caseSensitive ? $0 : $0.lowercased()) }
            switch action {
            case "LOWER": kept = kept.map { $0.lowercased() }
            case "UPPER": kept = kept.map { $0.uppercased() }
            default: break
            }
            if kept.isEmpty { kept = [""] }
            return [array(kept, shape: x.rank == 1 ? [kept.count] : [1, kept.count])]
        }
    }

    static let concat: Kernel = { inputs, context in
        let a = try inputs.at(0)
        let b = try inputs.at(1)
        let (values, shape) = try Broadcast.binary(try texts(a), a.shape, try texts(b), b.shape, context: context) { $0 + $1 }
        return [array(values, shape: shape)]
    }

    /// Splits every element on `delimiter` (or on runs of whitespace when it is empty or unset),
    /// at most `maxsplit` times; the parts are padded with empty strings to the longest count.
    static func split(_ node: NodeContext) throws(ReferenceEngineError) -> Kernel {
        let delimiter = try node.string("delimiter", default: "")
        let limit = try node.int("maxsplit")
        return { inputs, _ in
            let x = try inputs.at(0)
            let parts = try texts(x).map { text -> [String] in
                if delimiter.isEmpty {
                    let words = text.split(whereSeparator: \.isWhitespace).map(String.init)
                    guard let limit, words.count > limit + 1 else { return words }
                    // The unsplit rest keeps its inner whitespace: find where word `limit` starts.
                    var rest = Substring(text.drop { $0.isWhitespace })
                    for _ in 0..<limit { rest = rest.drop { !$0.isWhitespace }.drop { $0.isWhitespace } }
                    return Array(words.prefix(limit)) + [String(rest.reversed().drop { $0.isWhitespace }.reversed())]
                }
                var pieces = text.components(separatedBy: delimiter)
                if let limit, pieces.count > limit + 1 {
                    pieces = Array(pieces.prefix(limit)) + [pieces.dropFirst(limit).joined(separator: delimiter)]
                }
                return pieces
            }
            let width = parts.map(\.count).max() ?? 0
            let padded = parts.flatMap { $0 + Array(repeating: "", count: width - $0.count) }
            return [array(padded, shape: x.shape + [width]), NDArray(ints: parts.map { Int64($0.count) }, shape: x.shape)]
        }
    }
}

extension OperatorRegistry {
    mutating func registerStrings() {
        register("StringNormalizer", since: 10) { node throws(ReferenceEngineError) in try StringKernels.normalizer(node) }
        register("StringConcat", since: 20) { _ in StringKernels.concat }
        register("StringSplit", since: 20) { node throws(ReferenceEngineError) in try StringKernels.split(node) }
    }
}
