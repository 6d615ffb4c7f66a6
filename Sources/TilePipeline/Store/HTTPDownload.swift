import Foundation
import Synchronization

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// One HTTP(S) GET streamed onto the end of a partial file, resuming with a `Range` request.
///
/// `URLSession`'s delegate callbacks arrive on a serial queue; the state they share with the
/// awaiting caller sits behind a mutex. The bytes received before a failure stay on disk, which
/// is what makes the next attempt a resume.
final class HTTPDownload: NSObject, URLSessionDataDelegate {
    private struct State {
        var output: FileHandle?
        var written: Int64
        var failure: ModelStoreError?
        var finished: CheckedContinuation<Void, Never>?
    }

    private let url: URL
    private let part: URL
    private let offset: Int64
    private let total: Int64
    private let progress: Transfer.Progress?
    private let state: Mutex<State>

    init(url: URL, output: FileHandle, part: URL, offset: Int64, total: Int64, progress: Transfer.Progress?) {
        self.url = url
        self.part = part
        self.offset = offset
        self.total = total
        self.progress = progress
        state = Mutex(State(output: output, written: offset))
    }

    /// Runs the request to its end and throws what went wrong, if anything.
    func run() async throws(ModelStoreError) {
        var request = URLRequest(url: url)
        if offset > 0 { request.setValue("bytes=\(offset)-", forHTTPHeaderField: "Range") }
        // A compressed body would make byte offsets meaningless for resuming.
        request.setValue("identity", forHTTPHeaderField: "Accept-Encoding")
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 1
        let session = URLSession(configuration: .ephemeral, delegate: self, delegateQueue: queue)
        let task = session.dataTask(with: request)
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                state.withLock { $0.finished = continuation }
                task.resume()
            }
        } onCancel: {
            task.cancel()
        }
        session.finishTasksAndInvalidate()
        if let failure = state.withLock({ $0.failure }) { throw failure }
    }

    func urlSession(
        _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
        completionHandler: @escaping @Sendable (URLSession.ResponseDisposition) -> Void
    ) {
        let http = response as? HTTPURLResponse
        let status = http?.statusCode ?? 0
        // A partial answer must start where the partial file ends, or the two do not join.
        let range = http?.value(forHTTPHeaderField: "Content-Range") ?? ""
        let disposition: URLSession.ResponseDisposition = state.withLock { state in
            switch status {
            case 206 where offset > 0 && range.hasPrefix("bytes \(offset)-"):
                return .allow
            case 206:
                state.failure = .transferFailed(
                    url: url.absoluteString, reason: "asked for bytes from \(offset) on, the server sent the range '\(range)'")
                return .cancel
            case 200:
                // The server sent the whole file: start the partial file again.
                do {
                    try state.output?.truncate(atOffset: 0)
                    state.written = 0
                    return .allow
                } catch {
                    state.failure = .unwritable(path: part.path, reason: error.localizedDescription)
                    return .cancel
                }
            default:
                state.failure = .httpStatus(url: url.absoluteString, status: status)
                return .cancel
            }
        }
        completionHandler(disposition)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        let written: Int64? = state.withLock { state in
            guard state.failure == nil, let output = state.output else { return nil }
            do { try output.write(contentsOf: data) } catch {
                state.failure = .unwritable(path: part.path, reason: error.localizedDescription)
                return nil
            }
            state.written += Int64(data.count)
            return state.written
        }
        if let written { progress?(written, total) } else { dataTask.cancel() }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        let finished = state.withLock { state in
            if state.failure == nil, let error {
                state.failure = .transferFailed(url: url.absoluteString, reason: error.localizedDescription)
            }
            state.output = nil
            defer { state.finished = nil }
            return state.finished
        }
        finished?.resume()
    }
}
