public import Foundation
public import InferenceRuntime
import ONNXRuntimeBackend
import ONNXModel
import OpenVINOBackend
import ReferenceEngine

/// The one list of inference libraries Tessera knows, found on this machine.
///
/// ```swift
/// let catalog = BackendCatalog.discover()
/// for device in catalog.devices() { print(device.id, device.name) }
/// ```
public struct BackendCatalog: Sendable {
    /// One entry per library, loaded or not, with every place looked at.
    public var discoveries: [BackendDiscovery]

    public init(discoveries: [BackendDiscovery]) {
        self.discoveries = discoveries
    }

    /// Looks for every library (ONNX Runtime, OpenVINO), in the order DESIGN.md sets for each:
    /// its environment variable, the project's `.venv`, the system's library paths. The
    /// built-in reference engine is always there, last.
    /// - Parameter libraries: look only for these; the others are not opened at all (a command
    ///   told which libraries to use neither pays for loading the rest nor depends on them).
    public static func discover(
        only libraries: Set<BackendID>? = nil, environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> BackendCatalog {
        let wanted = { (library: BackendID) in libraries?.contains(library) ?? true }
        var discoveries: [BackendDiscovery] = []
        if wanted(.onnxRuntime) { discoveries.append(ONNXRuntimeBackend.discover(environment: environment)) }
        if wanted(.openVINO) { discoveries.append(OVBackend.discover(environment: environment)) }
        if wanted(.reference) {
            discoveries.append(BackendDiscovery(
                library: .reference, backend: ReferenceBackend(),
                attempts: [LibraryAttempt(source: "built-in", path: "", outcome: .loaded(version: ReferenceBackend.engineVersion))]))
        }
        return BackendCatalog(discoveries: discoveries)
    }

    /// The libraries that loaded.
    public var backends: [any Backend] { discoveries.compactMap(\.backend) }

    /// Every device of every loaded library.
    public func devices() -> [Device] { backends.flatMap { $0.devices() } }

    /// The capability report of every (library, device) pair for `summary`.
    public func reports(for summary: ModelSummary) -> [DeviceID: CapabilityReport] {
        var reports: [DeviceID: CapabilityReport] = [:]
        for backend in backends {
            for device in backend.devices() { reports[device.id] = backend.capability(of: summary, on: device) }
        }
        return reports
    }
}
