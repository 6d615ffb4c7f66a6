public import Foundation
public import InferenceRuntime
import Synchronization

/// Wraps a real backend and makes it fail on purpose: at load, at the Nth run across all its
/// sessions, or out of memory on inputs above a size. The only fake Tessera's tests use: it
/// exercises the real scheduler and fallback code against a real library that misbehaves.
public final class FaultInjectingBackend: Backend {
    public enum Fault: Sendable {
        /// Every `makeSession` fails.
        case load
        /// Runs succeed until `run` has been called `succeeding` times; every later run fails.
        case run(succeeding: Int)
        /// Runs fail with `.outOfMemory` when an input has more than `elements` elements, as a
        /// device with little memory would on big tiles or batches.
        case outOfMemory(aboveElements: Int)
        /// A candidate that is fast and wrong: sessions opened with the fast precision (which
        /// this backend then offers on every device) return every output scaled by `factor`,
        /// and float32 sessions sleep `delay` in each run, so that the wrong one is also the
        /// fastest. For fast mode's quality floor.
        case wrongWhenFast(factor: Float, delay: Duration)
    }

    private let wrapped: any Backend
    fileprivate let fault: Fault
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

    public func precisions(on device: Device) -> [SessionOptions.Precision] {
        if case .wrongWhenFast = fault { return [.accurate, .fast] }
        return wrapped.precisions(on: device)
    }

    public func makeSession(model: URL, device: Device, options: SessionOptions) async throws -> any Session {
        if case .load = fault {
            throw BackendError(.load, backend: id, call: "makeSession", message: "injected load failure")
        }
        let session = try await wrapped.makeSession(model: model, device: device, options: options)
        return FaultySession(wrapped: session, owner: self, fast: options.precision == .fast)
    }

    /// Counts a run and says how it should fail, if it should.
    fileprivate func failure(for inputs: [String: Tensor]) -> BackendError.Kind? {
        switch fault {
        case .load, .wrongWhenFast:
            return nil
        case .run(let succeeding):
            let fails = runs.withLock { count in
                count += 1
                return count > succeeding
            }
            return fails ? .run : nil
        case .outOfMemory(let elements):
            return inputs.values.contains { $0.elementCount > elements } ? .outOfMemory : nil
        }
    }
}

private struct FaultySession: Session {
    let wrapped: any Session
    let owner: FaultInjectingBackend
    /// Opened with the fast precision.
    let fast: Bool

    var device: Device { wrapped.device }
    var inputs: [TensorDescription] { wrapped.inputs }
    var outputs: [TensorDescription] { wrapped.outputs }

    func run(_ inputs: [String: Tensor]) throws -> [String: Tensor] {
        if let kind = owner.failure(for: inputs) {
            throw BackendError(kind, backend: device.backend, call: "run", message: "injected \(kind.rawValue) failure")
        }
        let outputs = try wrapped.run(inputs)
        guard case .wrongWhenFast(let factor, let delay) = owner.fault else { return outputs }
        guard fast else {
            Thread.sleep(forTimeInterval: Double(delay.components.seconds) + Double(delay.components.attoseconds) * 1e-18)
            return outputs
        }
        return try outputs.mapValues { output in
            try Tensor(shape: output.shape, scalars: try output.doubleValues().map { Float($0) * factor })
        }
    }
}
