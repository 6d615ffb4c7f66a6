import Foundation
import Hummingbird

/// Writes an upload's body to disk as it arrives, so memory stays bounded whatever is sent, and
/// stops at the size limit.
enum UploadReceiver {
    static func receive(_ body: RequestBody, named name: String, into library: ImageLibrary) async throws
        -> LibraryImage
    {
        let (file, safeName) = await library.uploadFile(named: name)
        guard FileManager.default.createFile(atPath: file.path, contents: nil),
            let handle = try? FileHandle(forWritingTo: file)
        else {
            throw PreviewError.runFailed(
                reason: "\(safeName): the upload could not be stored in \(file.deletingLastPathComponent().path)")
        }
        do {
            var received = 0
            for try await buffer in body {
                received += buffer.readableBytes
                if received > library.maxUploadBytes {
                    throw PreviewError.uploadTooLarge(name: safeName, limitBytes: library.maxUploadBytes)
                }
                try handle.write(contentsOf: Data(buffer.readableBytesView))
            }
            try handle.close()
            guard received > 0 else { throw PreviewError.unreadableImage(name: safeName, reason: "the file is empty") }
            return try await library.add(file, name: safeName, uploaded: true)
        } catch {
            try? handle.close()
            try? FileManager.default.removeItem(at: file)
            throw error
        }
    }
}
