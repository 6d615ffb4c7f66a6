import Foundation
import Synchronization

/// A status a page follows until it is finished.
protocol LiveStatus: Codable, Sendable {
    var finished: Bool { get }
}

/// Long work started from the page (a full-size run, a model install): its status, told to every
/// listener as it changes (server-sent events), and its task, to cancel.
final class LiveTask<Status: LiveStatus>: Sendable {
    private struct State {
        var status: Status
        var listeners: [UUID: AsyncStream<Status>.Continuation] = [:]
        var task: Task<Void, Never>?
    }

    private let state: Mutex<State>

    init(_ status: Status) {
        state = Mutex(State(status: status))
    }

    var status: Status { state.withLock { $0.status } }

    /// Starts `work`, which reports through ``update(_:)``; ``cancel()`` cancels it.
    func start(_ work: @escaping @Sendable (LiveTask) async -> Void) {
        let task = Task { await work(self) }
        state.withLock { $0.task = task }
    }

    func cancel() { state.withLock { $0.task }?.cancel() }

    /// Changes the status and tells every listener; a finished status closes their streams and
    /// is never changed again.
    func update(_ change: (inout Status) -> Void) {
        // Streams are finished outside the lock: finishing calls their termination handler, which takes it.
        let closing = state.withLock { state -> [AsyncStream<Status>.Continuation] in
            guard !state.status.finished else { return [] }
            change(&state.status)
            for listener in state.listeners.values { listener.yield(state.status) }
            guard state.status.finished else { return [] }
            defer { state.listeners = [:] }
            return Array(state.listeners.values)
        }
        for listener in closing { listener.finish() }
    }

    /// The status now, then every change until it is finished.
    func events() -> AsyncStream<Status> {
        let (stream, continuation) = AsyncStream.makeStream(of: Status.self, bufferingPolicy: .bufferingNewest(16))
        let key = UUID()
        let finished = state.withLock { state in
            continuation.yield(state.status)
            if !state.status.finished { state.listeners[key] = continuation }
            return state.status.finished
        }
        if finished {
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.listeners.removeValue(forKey: key) }
        }
        return stream
    }
}
