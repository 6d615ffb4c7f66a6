import Foundation

/// Weights read from an ncnn `.bin` file, with the precision they were stored in.
struct NCNNWeightBlob: Sendable {
    var values: [Float]
    /// True when the file stored them as float16, so storing them as float16 again loses nothing.
    var storedAsFloat16: Bool
}

/// Reads the `.bin` file sequentially, in the order the layers of the `.param` file consume it.
///
/// ncnn's weight files have no index: each layer reads its blobs in turn. A "tagged" blob begins
/// with a 4-byte flag (0: float32, 0x01306B47: float16 padded to 4 bytes, anything else:
/// quantized forms the importer refuses); "raw" blobs (biases, PReLU slopes) are plain float32.
struct NCNNWeightReader {
    static let float16Tag: UInt32 = 0x0130_6B47
    static let int8Tag: UInt32 = 0x000D_4B38
    static let float32AltTag: UInt32 = 0x0002_C056

    let data: Data
    let path: String
    private(set) var offset = 0

    init(data: Data, path: String) {
        self.data = data
        self.path = path
    }

    init(contentsOf url: URL) throws(NCNNImportError) {
        do {
            self.init(data: try Data(contentsOf: url, options: .mappedIfSafe), path: url.path)
        } catch {
            throw .unreadable(path: url.path, reason: error.localizedDescription)
        }
    }

    /// Reads a flagged blob of `count` values for `layer`.
    mutating func tagged(count: Int, layer: String) throws(NCNNImportError) -> NCNNWeightBlob {
        let tag = try uint32(layer: layer)
        switch tag {
        case 0, Self.float32AltTag:
            return NCNNWeightBlob(values: try float32(count: count, layer: layer), storedAsFloat16: false)
        case Self.float16Tag:
            let (bytes, overflow) = count.multipliedReportingOverflow(by: 2)
            guard !overflow else { throw fail(layer, "a blob of \(count) values is too large") }
            // ncnn pads float16 blobs so the next blob starts on a 4-byte boundary.
            let padded = (bytes + 3) / 4 * 4
            let slice = try take(padded, layer: layer, what: "\(count) float16 values")
            var values = [Float](repeating: 0, count: count)
            slice.withUnsafeBytes { raw in
                for index in 0..<count {
                    let bits = UInt16(raw[2 * index]) | UInt16(raw[2 * index + 1]) << 8
                    values[index] = Float(Float16(bitPattern: bits))
                }
            }
            return NCNNWeightBlob(values: values, storedAsFloat16: true)
        case Self.int8Tag:
            throw fail(layer, "int8-quantized weights are not supported (import the float model and quantize with Tessera)")
        default:
            throw fail(
                layer,
                "unsupported weight flag 0x\(String(tag, radix: 16)) at byte \(offset - 4) (quantized table weights are not supported; or the .bin does not belong to this .param)")
        }
    }

    /// Reads `count` untagged float32 values for `layer`.
    mutating func raw(count: Int, layer: String) throws(NCNNImportError) -> NCNNWeightBlob {
        NCNNWeightBlob(values: try float32(count: count, layer: layer), storedAsFloat16: false)
    }

    /// Fails when bytes are left over: that means the `.bin` belongs to another `.param`.
    func finish() throws(NCNNImportError) {
        guard offset == data.count else {
            throw .malformedWeights(
                path: path, layer: "(end of file)",
                reason: "\(data.count - offset) bytes are left after the last layer read its weights; the .bin does not match the .param")
        }
    }

    private mutating func float32(count: Int, layer: String) throws(NCNNImportError) -> [Float] {
        let (bytes, overflow) = count.multipliedReportingOverflow(by: 4)
        guard !overflow, count >= 0 else { throw fail(layer, "a blob of \(count) values is too large") }
        let slice = try take(bytes, layer: layer, what: "\(count) float32 values")
        var values = [Float](repeating: 0, count: count)
        slice.withUnsafeBytes { raw in
            for index in 0..<count {
                values[index] = Float(bitPattern: raw.loadUnaligned(fromByteOffset: 4 * index, as: UInt32.self).littleEndian)
            }
        }
        return values
    }

    private mutating func uint32(layer: String) throws(NCNNImportError) -> UInt32 {
        let slice = try take(4, layer: layer, what: "the 4-byte weight flag")
        return slice.withUnsafeBytes { $0.loadUnaligned(as: UInt32.self).littleEndian }
    }

    private mutating func take(_ count: Int, layer: String, what: String) throws(NCNNImportError) -> Data {
        let available = data.count - offset
        guard count >= 0, count <= available else {
            throw fail(
                layer,
                "needs \(what) (\(count) bytes) at byte \(offset), but the file ends after \(available) more bytes (truncated, or not the .bin of this .param)")
        }
        let start = data.startIndex + offset
        offset += count
        return data.subdata(in: start..<(start + count))
    }

    private func fail(_ layer: String, _ reason: String) -> NCNNImportError {
        .malformedWeights(path: path, layer: layer, reason: reason)
    }
}
