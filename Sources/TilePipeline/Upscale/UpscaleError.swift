/// Why an upscale could not run.
public enum UpscaleError: Error, Sendable, CustomStringConvertible {
    /// No library and device on this machine can run the model(s), with each pair's reason.
    case noUsableDevice(model: String, reasons: [String])
    /// The model's variant is not on this machine and cannot be fetched.
    case modelNotAvailable(model: String, reason: String)
    /// The models of a chain cannot be composed, or a model is not an upscaler Tessera can tile.
    case unsupportedModel(model: String, reason: String)
    /// The output would overwrite the input.
    case outputIsInput(path: String)
    /// No model was given.
    case noModel

    public var description: String {
        switch self {
        case .noUsableDevice(let model, let reasons):
            "\(model): no library and device here can run it" + (reasons.isEmpty ? "" : ": " + reasons.joined(separator: "; "))
        case .modelNotAvailable(let model, let reason): "\(model): \(reason)"
        case .unsupportedModel(let model, let reason): "\(model): \(reason)"
        case .outputIsInput(let path): "\(path): the output would overwrite the input; choose another name or folder"
        case .noModel: "no model was given"
        }
    }
}
