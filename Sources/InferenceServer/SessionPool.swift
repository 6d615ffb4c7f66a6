import Foundation
import InferenceRuntime
import TensorCore

/// Runs requests on loaded sessions, one thread per session: ``Session/run(_:)`` blocks while
/// the library computes, and a blocked thread of Swift's cooperative pool would stall the HTTP
/// server, so requests wait in a queue and the session threads take them as they become free.
///
/// `@unchecked Sendable`: `jobs` and `closed` are touched only with `condition` locked.
final class SessionPool: @unchecked Sendable {
    private struct Job {
        var inputs: [String: Tensor]
        var reply: CheckedContinuation<[String: Tensor], any Error>
    }

    let sessions: [any Session]
    private let condition = NSCondition()
    private var jobs: [Job] = []
    private var closed = false

    init(sessions: [any Session]) {
        self.sessions = sessions
        for (index, session) in sessions.enumerated() {
            let thread = Thread { [self] in serve(session) }
            thread.name = "tessera-serve-\(index)"
            thread.start()
        }
    }

    /// Runs `inputs` on the next free session.
    func run(_ inputs: [String: Tensor]) async throws -> [String: Tensor] {
        try await withCheckedThrowingContinuation { continuation in
            condition.lock()
            defer { condition.unlock() }
            guard !closed else {
                continuation.resume(throwing: CancellationError())
                return
            }
            jobs.append(Job(inputs: inputs, reply: continuation))
            condition.signal()
        }
    }

    /// Lets the threads finish what is queued, then stop.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    private func serve(_ session: any Session) {
        while let job = next() {
            do {
                job.reply.resume(returning: try session.run(job.inputs))
            } catch {
                job.reply.resume(throwing: error)
            }
        }
    }

    private func next() -> Job? {
        condition.lock()
        defer { condition.unlock() }
        while jobs.isEmpty, !closed { condition.wait() }
        return jobs.isEmpty ? nil : jobs.removeFirst()
    }
}
