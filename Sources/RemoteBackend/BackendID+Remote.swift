public import InferenceRuntime

extension BackendID {
    /// Inference servers reached over the Open Inference Protocol.
    public static let remote = BackendID("remote")
}
