public import Foundation

/// One value of an ncnn layer parameter: ncnn writes integers without a decimal point or exponent,
/// floats with one, and arrays as `count,v1,v2,…` under the key `-23300 - id`.
public enum NCNNParamValue: Sendable, Hashable {
    case int(Int)
    case float(Float)
    /// A 4-byte value of the binary `.param.bin` form, which does not say whether it holds an
    /// int32 or a float32: the layer that reads it decides, as ncnn's own layers do.
    case word(UInt32)
    case array([NCNNParamValue])
    /// A string, such as the shape expressions pnnx writes (``NCNNExpression``).
    case string(String)
}

/// One layer line of a `.param` file.
public struct NCNNLayer: Sendable {
    /// The ncnn layer type, e.g. `Convolution`.
    public var type: String
    public var name: String
    /// Blob names the layer reads, in order.
    public var inputs: [String]
    /// Blob names the layer writes, in order.
    public var outputs: [String]
    /// Parameters by id.
    public var params: [Int: NCNNParamValue]
    /// The 1-based line of the `.param` file, for messages.
    public var line: Int
}

/// A parsed ncnn `.param` file: the layers in file order (ncnn requires producers before consumers).
public struct NCNNParamFile: Sendable {
    /// The largest layer or blob count accepted: far above any real network, low enough that a
    /// corrupt header cannot make the importer reserve absurd amounts of memory.
    public static let maximumCount = 1_000_000
    static let magic = "7767517"
    private static let arrayKeyBase = -23300

    public var layers: [NCNNLayer]

    /// Parses the text of a `.param` file; `path` names it in errors.
    public init(text: String, path: String) throws(NCNNImportError) {
        // ncnn reads the file with scanf, so any run of C whitespace separates tokens and blank
        // lines, trailing spaces and Windows line ends are all accepted. Swift reads "\r\n" as one
        // Character, distinct from "\n", so both end a line here.
        var lines: [(number: Int, tokens: [Substring])] = []
        let rawLines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
        for (index, raw) in rawLines.enumerated() {
            let tokens = raw.split(whereSeparator: { " \t\r\u{0B}\u{0C}".contains($0) })
            if !tokens.isEmpty { lines.append((index + 1, tokens)) }
        }
        guard let first = lines.first, first.tokens == [Substring(Self.magic)] else {
            throw .malformedParam(
                path: path, line: lines.first?.number ?? 1,
                reason: "not an ncnn .param file (the first line must be the magic number \(Self.magic))")
        }
        guard lines.count >= 2, lines[1].tokens.count == 2,
            let layerCount = Int(lines[1].tokens[0]), let blobCount = Int(lines[1].tokens[1])
        else {
            throw .malformedParam(
                path: path, line: lines.count >= 2 ? lines[1].number : first.number,
                reason: "expected the line 'LAYER_COUNT BLOB_COUNT'")
        }
        for (what, count) in [("layer", layerCount), ("blob", blobCount)]
        where count < 0 || count > Self.maximumCount {
            throw .malformedParam(
                path: path, line: lines[1].number,
                reason: "\(what) count \(count) is out of range (0 to \(Self.maximumCount))")
        }
        let layerLines = lines.dropFirst(2)
        guard layerLines.count == layerCount else {
            throw .malformedParam(
                path: path, line: lines[1].number,
                reason: "the header declares \(layerCount) layers but the file has \(layerLines.count) layer lines")
        }
        var layers: [NCNNLayer] = []
        layers.reserveCapacity(layerCount)
        for entry in layerLines {
            layers.append(try Self.parseLayer(entry.tokens, line: entry.number, path: path))
        }
        try Self.checkOrder(layers, path: path)
        self.layers = layers
    }

    init(checkedLayers layers: [NCNNLayer], path: String) throws(NCNNImportError) {
        try Self.checkOrder(layers, path: path)
        self.layers = layers
    }

    /// ncnn runs layers in file order: every blob must be written once, before it is read.
    private static func checkOrder(_ layers: [NCNNLayer], path: String) throws(NCNNImportError) {
        var produced: Set<String> = []
        for layer in layers {
            for blob in layer.inputs where !produced.contains(blob) {
                throw .malformedParam(
                    path: path, line: layer.line,
                    reason: "layer '\(layer.name)' reads blob '\(blob)' before any layer produces it")
            }
            for blob in layer.outputs {
                guard produced.insert(blob).inserted else {
                    throw .malformedParam(
                        path: path, line: layer.line,
                        reason: "layer '\(layer.name)' writes blob '\(blob)', which an earlier layer already produced")
                }
            }
        }
    }

    /// Reads and parses a `.param` file, in its text form or its binary `.param.bin` form (told
    /// apart by the first four bytes: the magic number as an int32, or as digits).
    public init(contentsOf url: URL) throws(NCNNImportError) {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw .unreadable(path: url.path, reason: error.localizedDescription)
        }
        if NCNNBinaryParam.isBinary(data) {
            try self.init(checkedLayers: try NCNNBinaryParam.layers(of: data, path: url.path), path: url.path)
            return
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .malformedParam(path: url.path, line: 1, reason: "neither ncnn .param text (not UTF-8) nor a binary .param.bin (no magic number)")
        }
        try self.init(text: text, path: url.path)
    }

    private static func parseLayer(_ tokens: [Substring], line: Int, path: String) throws(NCNNImportError) -> NCNNLayer {
        func fail(_ reason: String) -> NCNNImportError { .malformedParam(path: path, line: line, reason: reason) }
        guard tokens.count >= 4, let inputCount = Int(tokens[2]), let outputCount = Int(tokens[3]),
            inputCount >= 0, outputCount >= 0
        else { throw fail("expected 'TYPE NAME INPUT_COUNT OUTPUT_COUNT BLOBS… PARAMS…'") }
        // The counts come from the file: compare them with the tokens present before slicing.
        let available = tokens.count - 4
        guard inputCount <= available, outputCount <= available - inputCount else {
            throw fail("layer '\(tokens[1])' declares \(inputCount) inputs and \(outputCount) outputs but lists fewer blob names")
        }
        let inputs = tokens[4..<(4 + inputCount)].map(String.init)
        let outputs = tokens[(4 + inputCount)..<(4 + inputCount + outputCount)].map(String.init)
        var params: [Int: NCNNParamValue] = [:]
        for token in tokens[(4 + inputCount + outputCount)...] {
            guard let equals = token.firstIndex(of: "="), let key = Int(token[..<equals]) else {
                throw fail("'\(token)' is not a parameter of the form ID=VALUE (or a blob count is wrong)")
            }
            let text = token[token.index(after: equals)...]
            if key <= arrayKeyBase {
                let parts = text.split(separator: ",", omittingEmptySubsequences: false)
                guard let count = Int(parts.first ?? ""), count >= 0, count == parts.count - 1 else {
                    throw fail("array parameter '\(token)' must be COUNT,V1,…,VCOUNT")
                }
                var values: [NCNNParamValue] = []
                for part in parts.dropFirst() {
                    guard let value = scalar(part) else { throw fail("'\(part)' in '\(token)' is not a number") }
                    values.append(value)
                }
                params[arrayKeyBase - key] = .array(values)
            } else if let first = text.first, first.isLetter || first == "\"" {
                // ncnn reads a value starting with a letter or a quote as a string.
                var string = text
                if string.first == "\"" { string = string.dropFirst() }
                if string.last == "\"" { string = string.dropLast() }
                params[key] = .string(String(string))
            } else {
                guard let value = scalar(text) else { throw fail("'\(token)' does not hold a number") }
                params[key] = value
            }
        }
        return NCNNLayer(
            type: String(tokens[0]), name: String(tokens[1]), inputs: inputs, outputs: outputs, params: params, line: line)
    }

    /// ncnn decides the type from the spelling: a decimal point or an exponent makes a float.
    private static func scalar(_ text: Substring) -> NCNNParamValue? {
        if text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) {
            return Float(text).map(NCNNParamValue.float)
        }
        return Int(text).map(NCNNParamValue.int)
    }
}
