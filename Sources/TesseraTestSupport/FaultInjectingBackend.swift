public import Foundation
public import InferenceRuntime
import Synchronization

/// Wraps a real backend and makes it fail on purpose: at load, or at the Nth run across all its
/// sessions. The only fake Tessera's tests use: it exercises the real scheduler and fallback
/// code against a real library that misbehaves.
public final class FaultInjectingBackend: Backend {
    public enum Fault: Sendable {
        /// Every `makeSession` fails.
        case load
        /// Runs succeed until `run` has been called `succeeding` times; every later run fails.
        case run(succeeding: Int)
    }

    private let wrapped: any Backend
    private let fault: Fault
    private let runs = Mutex(0)

    public init(wrapping backend: any Backend, fault: Fault) {
        wrapped = backend
        self.fault = fault
    }

    public var id: BackendID { wrapped.id }
    public var version: String { wrapped.version }
    public var libraryPath: String { wrapped.libraryPath }
    public func devices() -> [Device] { wrapped.devices() }
    public func capability(of model: ModelSummary, on device: Device) -> CapabilityReport {
        wrapped.capability(of: model, on: device)
    }

    public func makeSession(model: URL, device: Device, options: SessionOptions) async throws -> any Session {
        if case .load = fault {
            throw BackendError(.load, backend: id, call: "makeSession", message: "injected load failure")
        }
        let session = try await wrapped.makeSession(model: model, device: device, options: options)
        return FaultySession(wrapped: session, owner: self)
    }

    /// Counts a run and says whether it should fail.
    fileprivate func nextRunFails() -> Bool {
        guard case .run(let succeeding) = fault else { return false }
        return runs.withLock { count in
            count += 1
            return count > succeeding
        }
    }
}

private struct FaultySession: Session {
    let wrapped: any Session
    let owner: FaultInjectingBackend

    var device: Device { wrapped.device }
    var inputs: [TensorDescription] { wrapped.inputs }
    var outputs: [TensorDescription] { wrapped.outputs }

    func run(_ inputs: [String: Tensor]) throws -> [String: Tensor] {
        if owner.nextRunFails() {
            throw BackendError(.run, backend: device.backend, call: "run", message: "injected run failure")
        }
        return try wrapped.run(inputs)
    }
}
