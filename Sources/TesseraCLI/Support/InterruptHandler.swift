import ArgumentParser
import Dispatch
import Foundation

/// Turns Ctrl-C into task cancellation, so long work stops cleanly: the pipeline cancels its
/// writers and no partial output is left.
enum InterruptHandler {
    /// Awaits `work`, cancelling it on SIGINT; then calls `onInterrupt` and exits with 130.
    static func run(_ work: Task<Void, any Error>, onInterrupt: @escaping @Sendable () -> Void) async throws {
        // A parent may have started us with SIGINT blocked (Foundation's Process does); a Ctrl-C
        // that never arrives would leave the user no clean way to stop.
        var interrupt = sigset_t()
        sigemptyset(&interrupt)
        sigaddset(&interrupt, SIGINT)
        pthread_sigmask(SIG_UNBLOCK, &interrupt, nil)
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT)
        source.setEventHandler { work.cancel() }
        source.resume()
        defer {
            source.cancel()
            signal(SIGINT, SIG_DFL)
        }
        do {
            try await work.value
        } catch is CancellationError {
            onInterrupt()
            throw ExitCode(130)
        }
    }
}
