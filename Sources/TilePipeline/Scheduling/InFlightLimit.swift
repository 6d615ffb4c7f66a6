import Synchronization

/// How many requests one inference server has in flight at once: the workers of an endpoint
/// share one limit, and a worker takes a tile only while it is below it.
///
/// Measured, not fixed (unless given): the limit starts at 2 (one request computing while the
/// next travels hides the round trip even on a server that runs one at a time: against
/// `tessera serve`, `Benchmarks/remote.sh` found 2 faster than 1 in every run) and doubles while
/// the endpoint's tiles per second rise by more than ``gain`` (another request hides more of the
/// round trip, or feeds a server that batches or runs requests side by side), up to ``cap``; once a doubling
/// gains less, it goes back to the best count and stays there. Each count is timed over
/// ``phaseTiles(at:)`` tiles of work; a phase in which the endpoint ran out of tiles (an image's
/// last ones) is dropped and timed again, so an idle queue does not pass for a slow server. The
/// limit carries over from one image to the next.
///
/// ```swift
/// let limit = InFlightLimit(measuringUpTo: 8)   // or InFlightLimit(fixed: 4)
/// let workers = (1...8).map { TileWorker(name: "server#\($0)", processor: processor, inFlight: limit) }
/// ```
public final class InFlightLimit: Sendable {
    /// The most requests in flight, measured or not: one worker each.
    public let cap: Int
    /// The rise in tiles per second that makes another doubling worth it.
    static let gain = 1.1

    private struct State {
        var limit: Int
        var settled: Bool
        var inFlight = 0
        var phaseStart: ContinuousClock.Instant?
        var phaseTiles = 0
        /// Tiles per second at each count timed so far.
        var rates: [(count: Int, tilesPerSecond: Double)] = []
    }

    private let state: Mutex<State>
    private let clock = ContinuousClock()

    /// A limit of `count` requests, not measured (`--remote-requests N`).
    public init(fixed count: Int) {
        cap = max(1, count)
        state = Mutex(State(limit: cap, settled: true))
    }

    /// A limit found by measuring, from 2 up to `cap`.
    public init(measuringUpTo cap: Int) {
        self.cap = max(1, cap)
        state = Mutex(State(limit: min(2, self.cap), settled: self.cap <= 2))
    }

    /// The requests allowed in flight now.
    public var current: Int { state.withLock { $0.limit } }

    /// For `--explain`: the count and, when measured, the tiles per second behind it.
    public var summary: String {
        state.withLock { state in
            let measured = state.rates.map { "\($0.count): \(String(format: "%.2f", $0.tilesPerSecond)) tiles/s" }
            let count = "\(state.limit) request\(state.limit == 1 ? "" : "s") in flight"
            if state.rates.isEmpty { return count + (state.settled ? "" : " (not measured yet)") }
            return count + " (\(state.settled ? "measured" : "still measuring"): "
                + measured.joined(separator: ", ") + ")"
        }
    }

    /// Tiles a count is timed over: every request slot twice, and at least 3.
    static func phaseTiles(at count: Int) -> Int { max(3, 2 * count) }

    /// Takes a slot if one is free.
    func tryEnter() -> Bool {
        state.withLock { state in
            guard state.inFlight < state.limit else { return false }
            state.inFlight += 1
            if state.phaseStart == nil { state.phaseStart = clock.now }
            return true
        }
    }

    /// Whether a worker of this endpoint could take a tile now.
    var hasRoom: Bool { state.withLock { $0.inFlight < $0.limit } }

    /// The endpoint had a free slot and no tile to fill it: the phase being timed is dropped.
    func starved() {
        state.withLock { state in
            state.phaseStart = nil
            state.phaseTiles = 0
        }
    }

    /// Gives a slot back after `tiles` tiles finished in it (0 when the request failed).
    func leave(tiles: Int) {
        let now = clock.now
        state.withLock { state in
            state.inFlight -= 1
            guard !state.settled, let start = state.phaseStart else { return }
            state.phaseTiles += tiles
            guard state.phaseTiles >= Self.phaseTiles(at: state.limit) else { return }
            let seconds = (now - start).seconds
            guard seconds > 0 else { return }
            let rate = Double(state.phaseTiles) / seconds
            let best = state.rates.max { $0.tilesPerSecond < $1.tilesPerSecond }
            state.rates.append((state.limit, rate))
            state.phaseStart = nil
            state.phaseTiles = 0
            if let best, rate <= best.tilesPerSecond * Self.gain {
                state.limit = best.count
                state.settled = true
            } else if state.limit >= cap {
                state.settled = true
            } else {
                state.limit = min(cap, state.limit * 2)
            }
        }
    }
}
