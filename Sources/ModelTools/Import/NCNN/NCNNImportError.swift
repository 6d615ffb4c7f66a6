/// Why an ncnn model could not be imported.
///
/// Every case prints one line that names the file, and for `.param` problems the line number, so
/// that a user can open the file at the right place.
public enum NCNNImportError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A file could not be read at all.
    case unreadable(path: String, reason: String)
    /// The `.param` text is malformed at `line`.
    case malformedParam(path: String, line: Int, reason: String)
    /// A layer type the importer has no ONNX mapping for.
    case unsupportedLayer(path: String, line: Int, type: String, name: String)
    /// A layer whose parameters the importer cannot express in ONNX (or that contradict each other).
    case unsupportedParameters(path: String, line: Int, layer: String, reason: String)
    /// The `.bin` weights do not fit the layers that read them.
    case malformedWeights(path: String, layer: String, reason: String)
    /// The built ONNX model could not be written.
    case unwritable(path: String, reason: String)
    /// An opset outside the range the importer emits.
    case unsupportedOpset(Int)
    /// The built graph fails the checks run before writing (shape inference, a run on the native
    /// engine, the output shape the `.param` implies); `layer` names the ncnn layer where known.
    case invalidGraph(path: String, layer: String?, reason: String)
    /// `--residual nearest` asked for a graph the nearest-neighbour input cannot be added to.
    case unsupportedResidual(path: String, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason):
            "\(path): cannot read: \(reason)"
        case .malformedParam(let path, let line, let reason):
            "\(path):\(line): \(reason)"
        case .unsupportedLayer(let path, let line, let type, let name):
            "\(path):\(line): layer '\(name)' has type '\(type)', which the ncnn importer does not support"
        case .unsupportedParameters(let path, let line, let layer, let reason):
            "\(path):\(line): layer '\(layer)': \(reason)"
        case .malformedWeights(let path, let layer, let reason):
            "\(path): weights of layer '\(layer)': \(reason)"
        case .unwritable(let path, let reason):
            "\(path): cannot write: \(reason)"
        case .invalidGraph(let path, let layer?, let reason):
            "\(path): layer '\(layer)': the imported graph fails its check, nothing was written: \(reason)"
        case .invalidGraph(let path, nil, let reason):
            "\(path): the imported graph fails its check, nothing was written: \(reason)"
        case .unsupportedResidual(let path, let reason):
            "\(path): cannot add the input upscaled by nearest neighbour to the network's output: \(reason)"
        case .unsupportedOpset(let opset):
            "opset \(opset) is not supported by the ncnn importer (choose 13 to 21)"
        }
    }
}
