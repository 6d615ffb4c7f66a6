import Foundation
import Synchronization
import TilePipeline

/// One full-size upscale started from the page: its progress, told to every listener as it
/// changes (server-sent events), and its task, to cancel.
final class FullRun: Sendable {
    /// What the page is told.
    struct Status: Codable, Sendable {
        enum State: String, Codable, Sendable { case running, done, cancelled, failed }
        var id: String
        var image: String
        var state: State
        var tilesDone = 0
        var tilesTotal = 0
        var megapixelsPerSecond = 0.0
        var elapsedSeconds = 0.0
        var etaSeconds: Double?
        var width: Int?
        var height: Int?
        /// The result's id for `GET /api/results/<id>` once done.
        var result: String?
        var error: String?

        var finished: Bool { state != .running }
    }

    private struct State {
        var status: Status
        var listeners: [UUID: AsyncStream<Status>.Continuation] = [:]
        var task: Task<Void, Never>?
    }

    private let state: Mutex<State>

    init(id: String, image: String) {
        state = Mutex(State(status: Status(id: id, image: image, state: .running)))
    }

    var status: Status { state.withLock { $0.status } }

    /// Starts `work`, which reports through ``update(_:)``; cancelling the run cancels it.
    func start(_ work: @escaping @Sendable (FullRun) async -> Void) {
        let task = Task { await work(self) }
        state.withLock { $0.task = task }
    }

    func cancel() { state.withLock { $0.task }?.cancel() }

    /// Changes the status and tells every listener; a finished run closes their streams.
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

    func progress(_ progress: TileProgress) {
        update { status in
            let seconds = progress.elapsed.seconds
            status.tilesDone = progress.tilesDone
            status.tilesTotal = progress.tilesTotal
            status.elapsedSeconds = seconds
            status.megapixelsPerSecond = seconds > 0 ? progress.outputMegapixelsDone / seconds : 0
            status.etaSeconds = progress.estimatedRemaining?.seconds
        }
    }

    /// The status now, then every change until the run finishes.
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
