import Foundation
import TensorCore

/// TfIdfVectorizer: counts, per row of X ([C] or [N, C]), the n-grams of the pool (lengths
/// `min_gram_length` to `max_gram_length`, their items up to `max_skip_count` apart) and writes
/// each count, as TF, IDF (found or not, times the weight) or TFIDF (times the weight), to the
/// output coordinate the pool assigns it.
struct TfIdfVectorizerKernel {
    let mode: String
    let minLength: Int
    let maxLength: Int
    let maxSkip: Int
    /// Pool n-gram (items joined by U+0000) → its number in the pool.
    let pool: [String: Int]
    let coordinates: [Int]
    let weights: [Float]

    init(_ node: NodeContext) throws(ReferenceEngineError) {
        mode = try node.choice("mode", default: "TF", in: ["TF", "IDF", "TFIDF"])
        minLength = try node.int("min_gram_length", default: 1)
        maxLength = try node.int("max_gram_length", default: 1)
        maxSkip = try node.int("max_skip_count", default: 0)
        coordinates = try node.ints("ngram_indexes") ?? []
        let starts = try node.ints("ngram_counts") ?? [0]
        var items: [String]
        if let ints = try node.ints("pool_int64s") {
            items = ints.map(String.init)
        } else if let attribute = node.node.attribute("pool_strings"), case .strings(let values) = attribute.value {
            items = values.map { String(decoding: $0, as: UTF8.self) }
        } else {
            throw node.invalid("one of 'pool_int64s' and 'pool_strings' is required")
        }
        try node.require(minLength >= 1 && minLength <= maxLength && maxSkip >= 0, "the n-gram lengths or skip count are out of range")
        var pool: [String: Int] = [:]
        var number = 0
        for (length, start) in starts.enumerated() {
            let end = length + 1 < starts.count ? starts[length + 1] : items.count
            guard start <= end, end <= items.count else { throw node.invalid("'ngram_counts' \(starts) does not fit the pool of \(items.count)") }
            for first in stride(from: start, to: end, by: length + 1) where first + length < end {
                pool[items[first...(first + length)].joined(separator: "\u{0}")] = number
                number += 1
            }
        }
        try node.require(coordinates.count == number, "'ngram_indexes' has \(coordinates.count) entries for \(number) pool n-grams")
        self.pool = pool
        weights = try node.floats("weights") ?? Array(repeating: 1, count: number)
        try node.require(weights.count == number, "'weights' has \(weights.count) entries for \(number) pool n-grams")
    }

    func run(_ inputs: KernelInputs) throws(KernelError) -> NDArray {
        let x = try inputs.at(0)
        let tokens: [String]
        switch x.storage {
        case .int(let values): tokens = values.map { String($0) }
        case .string(let values): tokens = values.map { String(decoding: $0, as: UTF8.self) }
        case .float: throw KernelError.unsupportedType(x.dataType)
        }
        guard x.rank == 1 || x.rank == 2 else { throw .shapeMismatch("X must be [C] or [N, C], got \(x.shape)") }
        let rows = x.rank == 2 ? x.shape[0] : 1
        let width = x.shape.last ?? 0
        let size = (coordinates.max() ?? -1) + 1
        var result = [Float](repeating: 0, count: rows * size)
        for row in 0..<rows {
            var counts = [Int](repeating: 0, count: coordinates.count)
            let line = tokens[(row * width)..<((row + 1) * width)].map { $0 }
            for length in minLength...maxLength {
                // A 1-gram is the same at every skip: count it once.
                for skip in 0...(length == 1 ? 0 : maxSkip) {
                    let span = (length - 1) * (skip + 1)
                    for start in 0..<max(0, width - span) {
                        let key = (0..<length).map { line[start + $0 * (skip + 1)] }.joined(separator: "\u{0}")
                        if let number = pool[key] { counts[number] += 1 }
                    }
                }
            }
            for (number, count) in counts.enumerated() {
                let value: Float = switch mode {
                case "IDF": count > 0 ? weights[number] : 0
                case "TFIDF": Float(count) * weights[number]
                default: Float(count)
                }
                result[row * size + coordinates[number]] = value
            }
        }
        return NDArray(floats: result, shape: x.rank == 2 ? [rows, size] : [size])
    }
}

extension OperatorRegistry {
    mutating func registerTfIdfVectorizer() {
        register("TfIdfVectorizer", since: 9) { node throws(ReferenceEngineError) in
            let kernel = try TfIdfVectorizerKernel(node)
            return { inputs, _ in [try kernel.run(inputs)] }
        }
    }
}
