import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A shared library opened with `dlopen(RTLD_NOW | RTLD_LOCAL)`.
///
/// - Warning: the library is never closed. Unloading ONNX Runtime or OpenVINO while any session,
///   environment or thread pool of theirs exists is undefined behaviour, and tracking that is not
///   worth the few megabytes a loaded library keeps mapped. It stays loaded for the life of the process.
public final class DynamicLibrary: Sendable {
    /// The path it was opened from.
    public let path: String
    // dlopen handles are process-global and thread-safe to use with dlsym.
    private nonisolated(unsafe) let handle: UnsafeMutableRawPointer

    /// Opens `path`; the error carries `dlerror()`'s message (missing file, wrong architecture,
    /// missing dependency, corrupt ELF).
    public init(path: String) throws(BackendError) {
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            let reason = dlerror().map { String(cString: $0) } ?? "dlopen failed"
            throw BackendError(.libraryNotFound, backend: BackendID(path), call: "dlopen", message: reason)
        }
        self.path = path
        self.handle = handle
    }

    /// The address of `name`, or `nil` when the library does not export it.
    public func symbol(_ name: String) -> UnsafeMutableRawPointer? {
        dlsym(handle, name)
    }
}
