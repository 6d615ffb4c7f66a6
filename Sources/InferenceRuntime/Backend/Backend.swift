public import Foundation

/// An inference library Tessera can run models with: ONNX Runtime, OpenVINO, or the reference engine.
///
/// A backend answers questions cheaply (``devices()``, ``capability(of:on:)`` load nothing and
/// download nothing) and does the expensive work only in ``makeSession(model:device:options:)``.
/// Conforming types are immutable after creation and safe to share across tasks.
public protocol Backend: Sendable {
    var id: BackendID { get }
    /// The library's own version string, e.g. `1.31.1` or `2026.4.1-…`.
    var version: String { get }
    /// Where the library was loaded from; empty for the built-in reference engine.
    var libraryPath: String { get }
    /// Identifies this build of the library for speed measurements (``PairFingerprint``): a new
    /// build invalidates them, whatever its version string says. The default combines the
    /// version, the path and the library file's size and modification time.
    var buildIdentity: String { get }

    /// The precisions whose sessions compute differently on `device`: `.fast` only where the
    /// library then really uses a narrower type (bfloat16 or float16), so that fast mode
    /// measures only candidates that can differ. Defaults to `[.accurate]`.
    func precisions(on device: Device) -> [SessionOptions.Precision]

    /// The devices this library can drive on this machine.
    func devices() -> [Device]

    /// Whether `model` can run on `device`, node by node, with reasons; decided from tables and
    /// the model summary only.
    func capability(of model: ModelSummary, on device: Device) -> CapabilityReport

    /// Loads the model on `device`.
    /// - Throws: ``BackendError``.
    func makeSession(model: URL, device: Device, options: SessionOptions) async throws -> any Session
}
