import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Moves bytes from a `file:` or `http(s):` URL into memory or onto the end of a partial file.
enum Transfer {
    /// The suffix of a download in progress: `x4.onnx.part`.
    static let partialSuffix = ".part"

    /// Reports bytes on disk so far and the total expected; called on an arbitrary thread.
    typealias Progress = @Sendable (_ bytesSoFar: Int64, _ totalBytes: Int64) -> Void

    /// The whole resource at `url`, for small files such as manifests.
    static func contents(of url: URL) async throws(ModelStoreError) -> Data {
        switch url.scheme?.lowercased() {
        case "file":
            do { return try Data(contentsOf: url) } catch { throw .unreadable(path: url.path, reason: error.localizedDescription) }
        case "http", "https":
            let response: (Data, URLResponse)
            do { response = try await URLSession.shared.data(for: URLRequest(url: url)) } catch {
                throw .transferFailed(url: url.absoluteString, reason: error.localizedDescription)
            }
            let status = (response.1 as? HTTPURLResponse)?.statusCode ?? 200
            guard status == 200 else { throw .httpStatus(url: url.absoluteString, status: status) }
            return response.0
        default:
            throw .transferFailed(url: url.absoluteString, reason: "only file:, http: and https: URLs can be fetched")
        }
    }

    /// Appends the bytes of `source` from `offset` on to `part` (created when missing), as far
    /// as the source goes; `part` must hold exactly `offset` bytes of the same resource.
    ///
    /// An HTTP server that ignores the range request and sends the whole file restarts the
    /// partial file from zero. A server that cannot satisfy the range (the partial file is
    /// stale) makes this throw ``ModelStoreError/httpStatus(url:status:)`` with 416.
    static func append(from source: URL, offset: Int64, to part: URL, total: Int64, progress: Progress?)
        async throws(ModelStoreError)
    {
        if !FileManager.default.fileExists(atPath: part.path), !FileManager.default.createFile(atPath: part.path, contents: nil) {
            throw .unwritable(path: part.path, reason: "cannot create the file")
        }
        let output: FileHandle
        do {
            output = try FileHandle(forWritingTo: part)
            try output.seek(toOffset: UInt64(offset))
        } catch { throw .unwritable(path: part.path, reason: error.localizedDescription) }
        defer { try? output.close() }
        progress?(offset, total)
        switch source.scheme?.lowercased() {
        case "file":
            try copyFile(source, from: offset, into: output, part: part, total: total, progress: progress)
        case "http", "https":
            try await HTTPDownload(url: source, output: output, part: part, offset: offset, total: total, progress: progress).run()
        default:
            throw .transferFailed(url: source.absoluteString, reason: "only file:, http: and https: URLs can be fetched")
        }
    }

    /// Copies a local file in 1 MiB chunks, so progress moves and memory stays flat.
    private static func copyFile(
        _ source: URL, from offset: Int64, into output: FileHandle, part: URL, total: Int64, progress: Progress?
    ) throws(ModelStoreError) {
        let input: FileHandle
        do {
            input = try FileHandle(forReadingFrom: source)
            try input.seek(toOffset: UInt64(offset))
        } catch { throw .unreadable(path: source.path, reason: error.localizedDescription) }
        defer { try? input.close() }
        var written = offset
        while true {
            let chunk: Data
            do { chunk = try input.read(upToCount: 1 << 20) ?? Data() } catch {
                throw .unreadable(path: source.path, reason: error.localizedDescription)
            }
            if chunk.isEmpty { return }
            do { try output.write(contentsOf: chunk) } catch { throw .unwritable(path: part.path, reason: error.localizedDescription) }
            written += Int64(chunk.count)
            progress?(written, total)
        }
    }
}
