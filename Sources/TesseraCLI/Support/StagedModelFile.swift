import Foundation

/// Where `optimize` and `quantize` write their model before it may replace OUT: under OUT's own
/// name (so `--verify`'s labels name it as OUT) in a private folder beside it (so the final
/// rename stays on one file system). ``publish()`` renames it into place; ``discard()`` removes
/// whatever is left, so a failure at any step leaves nothing.
struct StagedModelFile {
    let destination: URL
    /// The file to write.
    let url: URL
    private let folder: URL

    /// Creates the private folder `.tessera-COMMAND-…` beside `destination`.
    /// - Throws: ``CLIError`` naming `destination` when its folder cannot take the file.
    init(for destination: URL, command: String) throws {
        self.destination = destination
        folder = destination.deletingLastPathComponent().appendingPathComponent(".tessera-\(command)-\(UUID().uuidString)")
        url = folder.appendingPathComponent(destination.lastPathComponent)
        do { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: false) } catch {
            throw CLIError("\(destination.path): cannot write there: \(error.localizedDescription)")
        }
    }

    /// Moves the written model to `destination`, replacing what was there.
    func publish() throws {
        guard rename(url.path, destination.path) == 0 else {
            throw CLIError("\(destination.path): cannot move the written model into place: \(String(cString: strerror(errno)))")
        }
    }

    /// Removes the private folder and anything still in it.
    func discard() { try? FileManager.default.removeItem(at: folder) }
}
