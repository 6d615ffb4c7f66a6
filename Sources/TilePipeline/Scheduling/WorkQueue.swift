import Foundation

/// The one queue of tiles waiting for a worker. An idle worker takes whatever is next, so faster
/// devices simply take more tiles: work stealing without per-device queues.
///
/// `@unchecked Sendable`: every stored property is read and written only with `condition` locked.
final class WorkQueue: @unchecked Sendable {
    private let condition = NSCondition()
    private var pending: [TilePlan.Tile] = []
    private var closed = false

    /// Appends tiles and wakes waiting workers.
    func add(_ tiles: [TilePlan.Tile]) {
        condition.lock()
        defer { condition.unlock() }
        guard !closed else { return }
        pending += tiles
        condition.broadcast()
    }

    /// Returns tiles a retired worker could not finish to the front, so they go out next.
    func putBack(_ tiles: [TilePlan.Tile]) {
        condition.lock()
        defer { condition.unlock() }
        guard !closed else { return }
        pending.insert(contentsOf: tiles, at: 0)
        condition.broadcast()
    }

    /// Drops what is pending and makes every waiting and later ``take(upTo:)`` return `nil`.
    func close() {
        condition.lock()
        defer { condition.unlock() }
        closed = true
        pending.removeAll()
        condition.broadcast()
    }

    /// Wakes waiting workers: a slot of an ``InFlightLimit`` came free.
    func wake() {
        condition.lock()
        defer { condition.unlock() }
        condition.broadcast()
    }

    /// Waits for work (and for a free slot of `inFlight`, which it then holds), then takes the
    /// next tile and up to `limit − 1` more with windows of the same size, so they can run as one
    /// batch; `nil` once the queue is closed.
    func take(upTo limit: Int, inFlight: InFlightLimit? = nil) -> [TilePlan.Tile]? {
        condition.lock()
        defer { condition.unlock() }
        while !closed {
            if pending.isEmpty {
                if inFlight?.hasRoom == true { inFlight?.starved() }
            } else if inFlight?.tryEnter() ?? true {
                break
            }
            condition.wait()
        }
        guard !closed else { return nil }
        let first = pending.removeFirst()
        var batch = [first]
        var index = 0
        while batch.count < limit, index < pending.count {
            let candidate = pending[index]
            if candidate.window.width == first.window.width, candidate.window.height == first.window.height {
                batch.append(pending.remove(at: index))
            } else {
                index += 1
            }
        }
        return batch
    }
}
