import Foundation
import InferenceRuntime

/// What a worker thread tells the scheduler's coordinator.
enum WorkerEvent: Sendable {
    /// Tiles done, with how many tiles had to be split on the way.
    case rendered(worker: Int, contributions: [TileContribution], splits: Int)
    /// The worker's processor failed; its tiles are back in the queue and the worker has stopped.
    case retired(WorkerFailure)
    /// An error every worker would hit (bad output shape, invalid input): the run must stop.
    case failed(any Error)
}

/// Starts one worker on a thread of its own. ``Session/run(_:)`` blocks while the library
/// computes, and a blocked thread of Swift's cooperative pool would stall every task in the
/// process, so workers never run on it.
enum WorkerThread {
    static func start(
        index: Int, worker: TileWorker, source: any TileSource, layout: StitchLayout, batchSize: Int, queue: WorkQueue,
        events: AsyncStream<WorkerEvent>.Continuation
    ) {
        let thread = Thread {
            let renderer = TileRenderer(processor: worker.processor, source: source, layout: layout)
            // A slot taken with the tiles goes back when they are done, or failed.
            func release(tiles: Int) {
                guard let inFlight = worker.inFlight else { return }
                inFlight.leave(tiles: tiles)
                queue.wake()
            }
            while let tiles = queue.take(upTo: batchSize, inFlight: worker.inFlight) {
                let splitsBefore = renderer.splitCount
                do {
                    let contributions = try renderer.render(tiles)
                    release(tiles: contributions.count)
                    events.yield(.rendered(worker: index, contributions: contributions, splits: renderer.splitCount - splitsBefore))
                } catch let error as BackendError where error.kind != .invalidInput {
                    release(tiles: 0)
                    queue.putBack(tiles)
                    events.yield(.retired(WorkerFailure(worker: worker.name, error: error)))
                    return
                } catch {
                    release(tiles: 0)
                    events.yield(.failed(error))
                    return
                }
            }
        }
        thread.name = "tessera-tiles-\(index)"
        thread.start()
    }
}
