import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A file written under a temporary name in its destination's folder and renamed over the
/// destination only on ``commit()``, so a failed or interrupted write never leaves a partial file
/// and never damages the file it replaces.
final class StagedFile {
    /// Why staging failed, naming the file and the system's reason.
    struct Failure: Error, CustomStringConvertible {
        var path: String
        var reason: String
        var description: String { "\(path): \(reason)" }
    }

    let destination: URL
    private let temporary: URL
    private var descriptor: Int32
    private(set) var size = 0

    init(destination: URL) throws(Failure) {
        self.destination = destination
        let name = ".\(destination.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        temporary = destination.deletingLastPathComponent().appendingPathComponent(name)
        descriptor = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw Failure(path: destination.path, reason: Self.systemReason()) }
    }

    deinit { discard() }

    /// Appends `data` after padding to `alignment`; returns the offset it starts at.
    @discardableResult
    func append(_ data: Data, alignment: Int = 1) throws(Failure) -> Int {
        let padding = (alignment - size % alignment) % alignment
        if padding > 0 { try write(Data(count: padding)) }
        let offset = size
        try write(data)
        return offset
    }

    private func write(_ data: Data) throws(Failure) {
        let failure: Failure? = data.withUnsafeBytes { raw in
            var written = 0
            while written < raw.count {
                let n = posixWrite(descriptor, raw.baseAddress! + written, raw.count - written)
                if n < 0 {
                    if errno == EINTR { continue }
                    return Failure(path: destination.path, reason: Self.systemReason())
                }
                written += n
            }
            return nil
        }
        if let failure { throw failure }
        size += data.count
    }

    /// Flushes to disk and renames over the destination.
    func commit() throws(Failure) {
        guard descriptor >= 0 else { return }
        let synced = fsync(descriptor) == 0
        let reason = synced ? "" : Self.systemReason()
        close(descriptor)
        descriptor = -1
        guard synced else {
            unlink(temporary.path)
            throw Failure(path: destination.path, reason: reason)
        }
        guard rename(temporary.path, destination.path) == 0 else {
            let reason = Self.systemReason()
            unlink(temporary.path)
            throw Failure(path: destination.path, reason: reason)
        }
    }

    /// Deletes the temporary file, leaving any existing destination untouched.
    func discard() {
        guard descriptor >= 0 else { return }
        close(descriptor)
        descriptor = -1
        unlink(temporary.path)
    }

    private static func systemReason() -> String { String(cString: strerror(errno)) }
}

/// The C `write`, reachable from inside a type that has its own `write` method.
private func posixWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, bytes, count)
}
