import Foundation

/// Stable JSON for `--json`: sorted keys, pretty-printed, slashes unescaped; non-finite numbers
/// (the PSNR of identical outputs) as the strings "Infinity", "-Infinity" and "NaN".
enum JSONOutput {
    static func string(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
