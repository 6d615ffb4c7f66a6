import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The one system call the writer makes itself: rename(2), which replaces the destination in one
/// step, so readers see the old file or the complete new one, never a partial file.
enum FileMove {
    static func replace(_ destination: URL, with source: URL) throws(CodecFailure) {
        guard rename(source.path, destination.path) == 0 else {
            throw CodecFailure(kind: .system, message: String(cString: strerror(errno)))
        }
    }
}
