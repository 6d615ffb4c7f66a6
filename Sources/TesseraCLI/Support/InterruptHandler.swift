import ArgumentParser
import Dispatch
import Foundation

/// Turns Ctrl-C into task cancellation, so long work stops cleanly: the pipeline cancels its
/// writers and no partial output is left.
enum InterruptHandler {
    /// Awaits `work`, cancelling it on SIGINT; then calls `onInterrupt` and exits with 130.
    static func run(_ work: Task<Void, any Error>, onInterrupt: @escaping @Sendable () -> Void) async throws {
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
