import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A progress line on standard error, redrawn in place, shown only when standard error is a
/// terminal (so logs and pipes get no carriage returns).
final class ModelsProgressLine: Sendable {
    let label: String
    let isShown: Bool
    /// The last whole percentage drawn, so the line is redrawn at most 100 times.
    private let drawn = Mutex(-1)

    init(label: String) {
        self.label = label
        isShown = isatty(STDERR_FILENO) == 1
    }

    /// Redraws the line for `done` of `total` bytes; safe to call from any thread.
    @Sendable func update(_ done: Int64, _ total: Int64) {
        let percent = total > 0 ? Int(done * 100 / total) : 0
        let changed = drawn.withLock { last in
            defer { last = percent }
            return last != percent
        }
        guard changed else { return }
        let text = "\r\(label)  \(Formatting.bytes(Int(done))) of \(Formatting.bytes(Int(total)))  \(percent)%"
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// Ends the line so the next message starts on its own.
    func finish() {
        if isShown, drawn.withLock({ $0 >= 0 }) { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
