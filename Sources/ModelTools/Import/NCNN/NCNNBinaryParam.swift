import Foundation

/// The binary `.param.bin` form of an ncnn network (what ncnn2mem writes), read into the same
/// ``NCNNLayer`` values as the text form.
///
/// Everything is a little-endian int32: the magic number, the layer and blob counts, then per
/// layer its type as an index into ncnn's built-in layer list, the input and output counts, the
/// blob indexes, and its parameters as `id value` pairs (arrays: `-23300 - id`, a length and the
/// values; strings: `-23400 - id`, a length and the bytes padded to 4) ending with -233. The form
/// has no names: blob `i` is called `blob<i>` and layers are named by type and position. Values
/// are 4-byte words whose type the reading layer decides (``NCNNParamValue/word(_:)``), and
/// errors give a layer's 1-based position where the text form gives its line.
enum NCNNBinaryParam {
    /// Whether `data` starts with the magic number as a little-endian int32.
    static func isBinary(_ data: Data) -> Bool {
        var reader = Reader(data: data, path: "")
        return (try? reader.int32()) == 7_767_517
    }

    static func layers(of data: Data, path: String) throws(NCNNImportError) -> [NCNNLayer] {
        var reader = Reader(data: data, path: path)
        _ = try reader.int32()
        let layerCount = try reader.count("layer count", limit: NCNNParamFile.maximumCount)
        let blobCount = try reader.count("blob count", limit: NCNNParamFile.maximumCount)
        var layers: [NCNNLayer] = []
        for index in 0..<layerCount {
            let position = index + 1
            reader.position = position
            let typeIndex = try reader.int32()
            guard Self.layerTypes.indices.contains(typeIndex) else {
                throw reader.fail("layer type index \(typeIndex) is not one of ncnn's built-in layers (a custom layer?)")
            }
            let type = Self.layerTypes[typeIndex]
            let inputCount = try reader.count("input count", limit: blobCount)
            let outputCount = try reader.count("output count", limit: blobCount)
            var blobs: [String] = []
            for _ in 0..<(inputCount + outputCount) {
                let index = try reader.int32()
                guard (0..<blobCount).contains(index) else { throw reader.fail("blob index \(index) is outside 0..<\(blobCount)") }
                blobs.append("blob\(index)")
            }
            layers.append(NCNNLayer(
                type: type, name: "\(type)_\(position)", inputs: Array(blobs[..<inputCount]), outputs: Array(blobs[inputCount...]),
                params: try reader.params(), line: position))
        }
        guard reader.atEnd else { throw reader.fail("\(reader.remaining) bytes follow the last layer") }
        return layers
    }

    /// A cursor over the file's int32 words; `position` is the layer being read, for errors.
    private struct Reader {
        let data: Data
        let path: String
        var offset = 0
        var position = 0

        var atEnd: Bool { offset == data.count }
        var remaining: Int { data.count - offset }

        func fail(_ reason: String) -> NCNNImportError {
            .malformedParam(path: path, line: position, reason: "binary .param.bin at byte \(offset): \(reason)")
        }

        mutating func word() throws(NCNNImportError) -> UInt32 {
            guard remaining >= 4 else { throw fail("the file ends inside a value") }
            let start = data.startIndex + offset
            offset += 4
            return UInt32(data[start]) | UInt32(data[start + 1]) << 8 | UInt32(data[start + 2]) << 16 | UInt32(data[start + 3]) << 24
        }

        mutating func int32() throws(NCNNImportError) -> Int { Int(Int32(bitPattern: try word())) }

        /// A string value: its length (ncnn allows 255 bytes), then the bytes padded to 4; ncnn
        /// reads it as a C string, so it ends at the first NUL.
        mutating func string() throws(NCNNImportError) -> String {
            let length = try count("string length", limit: 255)
            let padded = (length + 3) / 4 * 4
            guard remaining >= padded else { throw fail("the file ends inside a string") }
            let start = data.startIndex + offset
            offset += padded
            let bytes = data[start..<(start + length)].prefix(while: { $0 != 0 })
            guard let text = String(bytes: bytes, encoding: .utf8) else { throw fail("a string is not UTF-8") }
            return text
        }

        mutating func count(_ what: String, limit: Int) throws(NCNNImportError) -> Int {
            let value = try int32()
            guard (0...limit).contains(value) else { throw fail("\(what) \(value) is out of range (0 to \(limit))") }
            return value
        }

        /// The `id value` pairs up to the -233 terminator.
        mutating func params() throws(NCNNImportError) -> [Int: NCNNParamValue] {
            var params: [Int: NCNNParamValue] = [:]
            while true {
                let key = try int32()
                if key == -233 { return params }
                let isString = key <= -23400
                let isArray = !isString && key <= -23300
                let id = isString ? -key - 23400 : isArray ? -key - 23300 : key
                // ncnn keeps at most 32 parameters per layer.
                guard (0..<32).contains(id) else { throw fail("parameter id \(id) is out of range (0 to 31)") }
                if isString {
                    params[id] = .string(try string())
                } else if isArray {
                    let length = try count("array length", limit: remaining / 4)
                    var values: [NCNNParamValue] = []
                    for _ in 0..<length { values.append(.word(try word())) }
                    params[id] = .array(values)
                } else {
                    params[id] = .word(try word())
                }
            }
        }
    }

    /// ncnn's built-in layer types in registration order: a layer's type index is its position.
    static let layerTypes = [
        "AbsVal", "ArgMax", "BatchNorm", "Bias", "BNLL", "Concat", "Convolution", "Crop", "Deconvolution", "Dropout",
        "Eltwise", "ELU", "Embed", "Exp", "Flatten", "InnerProduct", "Input", "Log", "LRN", "MemoryData", "MVN",
        "Pooling", "Power", "PReLU", "Proposal", "Reduction", "ReLU", "Reshape", "ROIPooling", "Scale", "Sigmoid",
        "Slice", "Softmax", "Split", "SPP", "TanH", "Threshold", "Tile", "RNN", "LSTM", "BinaryOp", "UnaryOp",
        "ConvolutionDepthWise", "Padding", "Squeeze", "ExpandDims", "Normalize", "Permute", "PriorBox",
        "DetectionOutput", "Interp", "DeconvolutionDepthWise", "ShuffleChannel", "InstanceNorm", "Clip", "Reorg",
        "YoloDetectionOutput", "Quantize", "Dequantize", "Yolov3DetectionOutput", "PSROIPooling", "ROIAlign",
        "Packing", "Requantize", "Cast", "HardSigmoid", "SELU", "HardSwish", "Noop", "PixelShuffle", "DeepCopy",
        "Mish", "StatisticsPooling", "Swish", "Gemm", "GroupNorm", "LayerNorm", "Softplus", "GRU",
        "MultiHeadAttention", "GELU", "Convolution1D", "Pooling1D", "ConvolutionDepthWise1D", "Convolution3D",
        "ConvolutionDepthWise3D", "Pooling3D", "MatMul", "Deconvolution1D", "DeconvolutionDepthWise1D",
        "Deconvolution3D", "DeconvolutionDepthWise3D", "Einsum", "DeformableConv2D", "GLU", "Fold", "Unfold",
        "GridSample", "CumulativeSum", "CopyTo", "Erf", "Diag", "CELU", "Shrink", "RMSNorm", "Spectrogram",
        "InverseSpectrogram", "Flip", "SDPA", "RotaryEmbed",
    ]
}
