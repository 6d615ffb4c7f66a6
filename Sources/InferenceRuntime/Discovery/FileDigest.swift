import Crypto
public import Foundation

/// SHA-256 of files, for cache keys and speed profiles: a model's identity is its bytes.
public enum FileDigest {
    /// The lower-case hex SHA-256 of the file at `url`, read in 4 MiB chunks.
    public static func sha256(of url: URL) throws -> String {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try handle.read(upToCount: 4 << 20), !chunk.isEmpty { hasher.update(data: chunk) }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// The lower-case hex SHA-256 of `data`.
    public static func sha256(of data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    /// The SHA-256 of the file at `url`, remembered in `directory` (under `digests/`) with the
    /// file's size, modification time and inode, so that a large model is hashed once rather
    /// than on every run (67 MB cost 0.1 s each time); a file that differs in any of them is
    /// hashed again. A memo that cannot be written only costs the next run a hash.
    public static func sha256(of url: URL, rememberedIn directory: URL) throws -> String {
        struct Memo: Codable {
            var path: String
            var stamp: FileStamp
            var sha256: String
        }
        let path = url.standardizedFileURL.path
        let stamp = try FileStamp(path: path)
        let file = directory.appendingPathComponent("digests/\(sha256(of: Data(path.utf8)).prefix(32)).json")
        if let data = try? Data(contentsOf: file), let stored = try? JSONDecoder().decode(Memo.self, from: data),
            stored.path == path, stored.stamp == stamp
        {
            return stored.sha256
        }
        let digest = try sha256(of: url)
        try? FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? JSONEncoder().encode(Memo(path: path, stamp: stamp, sha256: digest)).write(to: file, options: .atomic)
        return digest
    }
}
