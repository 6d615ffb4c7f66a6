import Dispatch

/// Opens once; until then every caller of ``pass()`` waits (at most two minutes, so a broken run
/// fails instead of hanging). Orders work between threads in a test without timing.
public final class Gate: Sendable {
    private let semaphore = DispatchSemaphore(value: 0)

    public init() {}

    public func open() { semaphore.signal() }

    public func pass() {
        _ = semaphore.wait(timeout: .now() + 120)
        semaphore.signal()  // and let the next caller through
    }
}
