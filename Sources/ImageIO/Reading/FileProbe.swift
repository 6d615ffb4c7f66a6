import Foundation

/// Recognises a file's format from its first bytes, and turns a missing, unreadable, empty or
/// foreign file into the matching error before any codec sees it.
enum FileProbe {
    static func format(of url: URL) throws(ImageIOError) -> ImageFormat {
        let path = url.path
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw .fileNotFound(path: path)
        }
        guard !isFolder.boolValue else { throw .unreadable(path: path, reason: "it is a folder") }
        let bytes: [UInt8]
        do {
            let handle = try FileHandle(forReadingFrom: url)
            defer { try? handle.close() }
            bytes = [UInt8](try handle.read(upToCount: ImageFormat.signatureLength) ?? Data())
        } catch {
            throw .unreadable(path: path, reason: "\(error.localizedDescription)")
        }
        if bytes.isEmpty { throw .emptyFile(path: path) }
        if let format = ImageFormat(signature: bytes) { return format }
        if bytes.count < ImageFormat.signatureLength, ImageFormat.isSignaturePrefix(bytes) {
            throw .truncated(path: path, reason: "only \(bytes.count) bytes, the start of a signature")
        }
        throw .unknownFormat(path: path)
    }
}
