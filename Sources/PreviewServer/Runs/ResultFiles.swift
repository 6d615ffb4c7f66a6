import Foundation

/// The pictures the server made (previews, heatmaps, full-size results), each served by an id;
/// the files live in the server's own folder and go when it stops.
actor ResultFiles {
    private let folder: URL
    private var files: [String: (url: URL, downloadName: String)] = [:]

    init(folder: URL) {
        self.folder = folder
    }

    /// A fresh path for a result with extension `ext`, and its id (not yet served).
    func reserve(extension ext: String) -> (id: String, url: URL) {
        let id = UUID().uuidString.lowercased()
        return (id, folder.appendingPathComponent("\(id).\(ext)"))
    }

    /// Serves `url` under `id` from now on.
    func publish(_ id: String, url: URL, downloadName: String) {
        files[id] = (url, downloadName)
    }

    func file(_ id: String) throws -> (url: URL, downloadName: String) {
        guard let file = files[id] else { throw PreviewError.notFound("result \(id)") }
        return file
    }
}
