import Synchronization

/// Lines collected from a callback that may come from any thread.
final class NoticeList: Sendable {
    private let storage = Mutex<[String]>([])

    func append(_ line: String) { storage.withLock { $0.append(line) } }

    var lines: [String] { storage.withLock { $0 } }
}
