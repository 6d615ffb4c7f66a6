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
    public static func discover(environment: [String: String] = ProcessInfo.processInfo.environment) -> BackendCatalog {
        BackendCatalog(discoveries: [
            ONNXRuntimeBackend.discover(environment: environment),
            OVBackend.discover(environment: environment),
            BackendDiscovery(
                library: .reference, backend: ReferenceBackend(),
                attempts: [LibraryAttempt(source: "built-in", path: "", outcome: .loaded(version: ReferenceBackend.engineVersion))]),
        ])
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
