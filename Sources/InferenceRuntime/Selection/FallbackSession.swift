public import Foundation
public import TensorCore

/// Runs a model on the best (library, device) pair of a ``Selection`` and, when a library fails
/// at load or at run time, marks that pair failed, moves to the next one and retries the same
/// inputs there — so the caller gets the output and hears about each failure once.
///
/// Errors that would fail on every pair (inputs that do not match the model) are rethrown at once.
public actor FallbackSession {
    /// A pair that failed, and why; reported once per pair.
    public struct Failure: Sendable, CustomStringConvertible {
        public var device: Device
        public var error: BackendError
        public var description: String { "\(device.id) failed, moving on: \(error)" }
    }

    /// Thrown when every pair has failed.
    public struct Exhausted: Error, Sendable, CustomStringConvertible {
        public var failures: [Failure]
        public var description: String {
            failures.isEmpty
                ? "no library can run this model on this machine"
                : "every library failed: " + failures.map(\.description).joined(separator: "; ")
        }
    }

    private let model: URL
    private var remaining: [Device]
    private let backends: [BackendID: any Backend]
    private let options: SessionOptions
    private let onFailure: @Sendable (Failure) -> Void
    private var session: (any Session)?
    /// Every failure so far, in order.
    public private(set) var failures: [Failure] = []

    /// - Parameters:
    ///   - devices: pairs in preference order (``Selection/ranked``).
    ///   - onFailure: called once for each pair that fails.
    public init(
        model: URL, devices: [Device], backends: [any Backend], options: SessionOptions,
        onFailure: @escaping @Sendable (Failure) -> Void = { _ in }
    ) {
        self.model = model
        self.remaining = devices
        self.backends = Dictionary(backends.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        self.options = options
        self.onFailure = onFailure
    }

    /// The device the current session runs on, once one has loaded.
    public var activeDevice: Device? { session?.device }

    /// Runs `inputs`, loading a session first if needed and falling back as described above.
    public func run(_ inputs: [String: Tensor]) async throws -> [String: Tensor] {
        try await attempt { try $0.run(inputs) }
    }

    /// Runs any ONNX values (sequences, optionals) the same way; a library that takes tensors
    /// only fails with `.unsupported` and the next pair is tried.
    public func run(values inputs: [String: ModelValue]) async throws -> [String: ModelValue] {
        try await attempt { try $0.run(values: inputs) }
    }

    private func attempt<R>(_ body: (any Session) throws -> R) async throws -> R {
        while true {
            let current = try await currentSession()
            do {
                return try body(current)
            } catch let error as BackendError where error.kind != .invalidInput {
                fail(current.device, error)
            }
        }
    }

    /// Loads the first pair that loads, marking the ones that do not.
    private func currentSession() async throws -> any Session {
        if let session { return session }
        while let device = remaining.first {
            guard let backend = backends[device.backend] else {
                fail(device, BackendError(.unsupported, backend: device.backend, call: "select", message: "library not loaded"))
                continue
            }
            do {
                let loaded = try await backend.makeSession(model: model, device: device, options: options)
                session = loaded
                return loaded
            } catch let error as BackendError {
                fail(device, error)
            }
        }
        throw Exhausted(failures: failures)
    }

    private func fail(_ device: Device, _ error: BackendError) {
        let failure = Failure(device: device, error: error)
        failures.append(failure)
        onFailure(failure)
        remaining.removeAll { $0.id == device.id }
        session = nil
    }
}
