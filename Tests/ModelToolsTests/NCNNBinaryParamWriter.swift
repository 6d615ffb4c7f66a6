import Foundation

/// Writes a text `.param` in ncnn's binary `.param.bin` form, following ncnn's `Net::load_param_bin`
/// and `ParamDict::load_param_bin`: little-endian int32 magic, layer and blob counts; per layer the
/// type index, input and output counts, blob indexes, `id value` pairs (arrays as `-23300 - id`,
/// length, values; quoted strings as `-23400 - id`, length, bytes padded to 4) and -233. Blobs are
/// numbered in order of first appearance.
enum NCNNBinaryParamWriter {
    struct UnknownType: Error, CustomStringConvertible {
        var type: String
        var description: String { "no type index for '\(type)' in the test's table" }
    }

    /// Positions in ncnn's built-in layer registration (src/CMakeLists.txt), for the types the
    /// tests use.
    static let typeIndexes: [String: Int32] = [
        "AbsVal": 0, "BatchNorm": 2, "Concat": 5, "Convolution": 6, "Crop": 7, "Deconvolution": 8, "Eltwise": 10,
        "Flatten": 14, "InnerProduct": 15, "Input": 16, "MemoryData": 19, "Pooling": 21, "ReLU": 26, "Reshape": 27,
        "Scale": 29, "Sigmoid": 30, "Slice": 31, "Softmax": 32, "Split": 33, "BinaryOp": 40, "Permute": 47,
        "Interp": 50, "PixelShuffle": 69, "Swish": 73,
    ]

    static func encode(_ text: String) throws -> Data {
        let lines = text.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }.filter { !$0.isEmpty }
        var blobs: [String: Int32] = [:]
        var body: [UInt32] = []
        func word(_ value: Int32) { body.append(UInt32(bitPattern: value)) }
        func scalar(_ text: Substring) -> UInt32 {
            text.contains(where: { ".eE".contains($0) }) ? (Float(text) ?? 0).bitPattern : UInt32(bitPattern: Int32(text) ?? 0)
        }
        for tokens in lines.dropFirst(2) {
            guard let type = typeIndexes[tokens[0]] else { throw UnknownType(type: tokens[0]) }
            let inputs = Int(tokens[2]) ?? 0
            let outputs = Int(tokens[3]) ?? 0
            word(type)
            word(Int32(inputs))
            word(Int32(outputs))
            for name in tokens[4..<(4 + inputs + outputs)] {
                if blobs[name] == nil { blobs[name] = Int32(blobs.count) }
                word(blobs[name] ?? 0)
            }
            for pair in tokens[(4 + inputs + outputs)...] {
                let parts = pair.split(separator: "=", maxSplits: 1)
                let key = Int32(parts[0]) ?? 0
                if parts[1].hasPrefix("\"") {
                    var bytes = Array(parts[1].utf8.filter { $0 != UInt8(ascii: "\"") })
                    word(-23400 - key)
                    word(Int32(bytes.count))
                    bytes += Array(repeating: 0, count: (4 - bytes.count % 4) % 4)
                    for index in stride(from: 0, to: bytes.count, by: 4) {
                        body.append(bytes[index..<(index + 4)].reversed().reduce(0) { $0 << 8 | UInt32($1) })
                    }
                    continue
                }
                word(key)
                if key <= -23300 {
                    let items = parts[1].split(separator: ",")
                    word(Int32(items[0]) ?? 0)
                    for item in items.dropFirst() { body.append(scalar(item)) }
                } else {
                    body.append(scalar(parts[1]))
                }
            }
            word(-233)
        }
        let header: [UInt32] = [7_767_517, UInt32(lines.count - 2), UInt32(blobs.count)]
        var data = Data()
        for value in header + body { withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) } }
        return data
    }
}
