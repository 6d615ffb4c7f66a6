import Foundation

/// What changes when a file is rewritten or replaced, read from its metadata alone: size,
/// modification time and inode. Caches keyed by a file use it to notice a new file without
/// reading it.
struct FileStamp: Codable, Equatable {
    var size: Int64
    /// Seconds since 1970, as the file system reports them (sub-second where it keeps them).
    var modified: Double
    var inode: UInt64

    /// The stamp of the file at `path`.
    init(path: String) throws {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        size = (attributes[.size] as? NSNumber)?.int64Value ?? -1
        modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        inode = (attributes[.systemFileNumber] as? NSNumber)?.uint64Value ?? 0
    }
}
