public import Foundation

/// A folder of this fuzzing process's own for parsers that read files by path. Scripts/fuzz.sh
/// points TESSERA_FUZZ_SCRATCH at a folder in memory (/dev/shm) and removes it afterwards:
/// libFuzzer runs millions of inputs, and a disk write for each would dominate the time.
public struct ScratchFolder: Sendable {
    public let url: URL

    public init(_ name: String) {
        let base = ProcessInfo.processInfo.environment["TESSERA_FUZZ_SCRATCH"] ?? NSTemporaryDirectory()
        url = URL(fileURLWithPath: base).appendingPathComponent("\(name)-\(getpid())")
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            fatalError("cannot create the fuzzing folder \(url.path): \(error)")
        }
    }

    /// Writes `bytes` to `name` inside the folder, replacing what was there.
    @discardableResult
    public func write(_ bytes: Data, to name: String) -> URL {
        let file = url.appendingPathComponent(name)
        do { try bytes.write(to: file) } catch { fatalError("cannot write \(file.path): \(error)") }
        return file
    }
}
