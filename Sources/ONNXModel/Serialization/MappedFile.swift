import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A read-only memory mapping of a whole file.
///
/// Views handed out by ``view(offset:count:)`` are `Data` values that keep the mapping alive and
/// share its pages, so weights read from a model file or an external data file are never copied
/// by the loader itself.
final class MappedFile {
    let size: Int
    private let base: UnsafeMutableRawPointer?

    /// Maps `url`, or throws `.unreadable` naming the system's reason.
    init(url: URL) throws(ONNXModelError) {
        let fd = open(url.path, O_RDONLY)
        guard fd >= 0 else { throw .unreadable(reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .unreadable(reason: String(cString: strerror(errno))) }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw .unreadable(reason: "not a regular file") }
        size = Int(info.st_size)
        if size == 0 {
            base = nil
            return
        }
        let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0)
        guard let address, address != MAP_FAILED else {
            throw .unreadable(reason: String(cString: strerror(errno)))
        }
        base = address
    }

    deinit {
        if let base { munmap(base, size) }
    }

    /// A zero-based `Data` over `count` bytes at `offset`, sharing the mapping. The caller has
    /// checked that the range lies inside the file.
    func view(offset: Int, count: Int) -> Data {
        precondition(offset >= 0 && count >= 0 && offset <= size - count, "view outside the mapping")
        guard let base, count > 0 else { return Data() }
        // The closure holds the mapping until the last copy of the view is released; Data never
        // writes through a no-copy pointer, so PROT_READ pages are safe here.
        return Data(bytesNoCopy: base + offset, count: count, deallocator: .custom { _, _ in _ = self })
    }

    /// The whole file as a shared view.
    var contents: Data { view(offset: 0, count: size) }
}
