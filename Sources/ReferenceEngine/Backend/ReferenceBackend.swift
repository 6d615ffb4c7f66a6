public import Foundation
public import InferenceRuntime
import ONNXModel

/// The native Swift engine: no library to find, always present, and the last choice of
/// selection (``Device/Specificity/reference``).
///
/// It interprets the model's graph with the kernels of ``OperatorRegistry/standard``; its
/// capability answers come from that registry, so an unsupported operator is reported before
/// anything is loaded.
///
/// ```swift
/// let engine = ReferenceBackend()
/// let session = try await engine.makeSession(model: url, device: engine.devices()[0], options: SessionOptions(threads: 2))
/// let outputs = try session.run(["input": tile])
/// ```
public struct ReferenceBackend: Backend {
    /// The version reported for the engine; it moves with Tessera.
    public static let engineVersion = "1.0"

    public let id: BackendID = .reference
    public let version = ReferenceBackend.engineVersion
    /// The OpenBLAS its matrix products run on, or empty for its own GEMM (see `tessera devices`).
    public var libraryPath: String { OpenBLAS.shared?.path ?? "" }
    /// The engine is compiled into the executable, so its build is the executable's (and the
    /// OpenBLAS it calls).
    public var buildIdentity: String {
        let executable = Bundle.main.executablePath ?? CommandLine.arguments[0]
        return "reference \(version) \(PairFingerprint.stamp(ofFile: executable)) \(libraryPath) \(PairFingerprint.stamp(ofFile: libraryPath))"
    }
    let registry: OperatorRegistry

    public init() { registry = .standard }

    /// One device: the CPU, driven with every core unless `SessionOptions.threads` says otherwise.
    public func devices() -> [Device] {
        let cpu = CPUInfo.read()
        return [
            Device(
                id: DeviceID("reference:cpu"), kind: .cpu, vendor: cpu.vendor, name: cpu.name, memoryBytes: cpu.memoryBytes,
                backend: .reference, route: "cpu", specificity: Device.Specificity.reference)
        ]
    }

    /// Checks every node against the registry; a gap is blocking, since nothing runs after the
    /// reference engine.
    public func capability(of model: ModelSummary, on device: Device) -> CapabilityReport {
        CapabilityReport(
            backend: id, device: device.id, findings: registry.supportTable.findings(for: model, severity: .blocking))
    }

    /// Loads and compiles the model: kernels are built and constant subgraphs evaluated here.
    /// - Throws: ``BackendError``: `.unsupported` for an operator or type the engine lacks,
    ///   `.load` for a malformed node or unreadable file (the message names the file and node).
    public func makeSession(model: URL, device: Device, options: SessionOptions) async throws -> any Session {
        guard device.backend == .reference else {
            throw BackendError(
                .unsupported, backend: .reference, call: "makeSession",
                message: "device \(device.id) belongs to \(device.backend), not the reference engine")
        }
        do {
            return try ReferenceSession(contentsOf: model, device: device, options: options, registry: registry)
        } catch let error as ReferenceEngineError {
            let kind: BackendError.Kind =
                switch error {
                case .unsupportedOperator, .unsupportedType: .unsupported
                default: .load
                }
            throw BackendError(kind, backend: .reference, call: "makeSession", message: "\(model.path): \(error)")
        } catch {
            throw BackendError(.load, backend: .reference, call: "makeSession", message: "\(model.path): \(error)")
        }
    }
}
