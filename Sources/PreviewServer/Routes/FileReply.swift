import Foundation
import Hummingbird
import ImageIO

/// Sends a file in 1 MiB chunks, so a full-size result never sits whole in memory.
enum FileReply {
    static func response(_ url: URL, contentType: String, downloadName: String? = nil) throws -> Response {
        guard let handle = try? FileHandle(forReadingFrom: url) else {
            throw PreviewError.notFound(url.lastPathComponent)
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? nil
        var headers: HTTPFields = [.contentType: contentType, .cacheControl: "no-store"]
        if let downloadName {
            headers[.contentDisposition] = "attachment; filename=\"\(ImageLibrary.safeFileName(downloadName))\""
        }
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody(contentLength: size) { writer in
                defer { try? handle.close() }
                while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
                    try await writer.write(ByteBuffer(bytes: chunk))
                }
                try await writer.finish(nil)
            })
    }

    /// The content type for a result's extension.
    static func contentType(of url: URL) -> String {
        ImageFormat(pathExtension: url.pathExtension)?.mediaType ?? "application/octet-stream"
    }
}
