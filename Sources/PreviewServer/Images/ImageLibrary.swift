import Foundation
import ImageIO

/// The only files the server reads: those given on the command line and those uploaded to it,
/// each known by an id the server made. The page never names a path.
actor ImageLibrary {
    private struct Entry {
        var image: LibraryImage
        var url: URL
        /// A PNG copy for the browser, made on demand for formats browsers do not show (TIFF).
        var display: URL?
    }

    private var entries: [String: Entry] = [:]
    private var order: [String] = []
    private let uploads: URL
    let maxUploadBytes: Int
    let maxPixels: Int

    /// - Parameter uploads: a folder of the server's own, emptied by the caller when it stops.
    init(uploads: URL, maxUploadBytes: Int, maxPixels: Int) {
        self.uploads = uploads
        self.maxUploadBytes = maxUploadBytes
        self.maxPixels = maxPixels
    }

    /// Registers `url` after reading its header.
    /// - Throws: ``PreviewError/unreadableImage(name:reason:)`` when it is not an image Tessera
    ///   reads or claims more than `maxPixels` pixels.
    func add(_ url: URL, name: String, uploaded: Bool) throws -> LibraryImage {
        let info: ImageInfo
        do {
            info = try ImageReader.info(url)
            try ImageReader.checkPixelCount(url, maxPixels: maxPixels)
        } catch {
            // The reason names the file by the server's own path; the page knows it by its name.
            throw PreviewError.unreadableImage(
                name: name, reason: "\(error)".replacingOccurrences(of: url.path + ": ", with: ""))
        }
        let id = UUID().uuidString.lowercased()
        let image = LibraryImage(
            id: id, name: name, width: info.width, height: info.height, format: info.format.rawValue, uploaded: uploaded
        )
        entries[id] = Entry(image: image, url: url)
        order.append(id)
        return image
    }

    /// A new file in the uploads folder for an upload called `name` (its plain characters kept).
    func uploadFile(named name: String) -> (url: URL, name: String) {
        let safeName = Self.safeFileName(name)
        return (uploads.appendingPathComponent(UUID().uuidString.lowercased() + "-" + safeName), safeName)
    }

    func list() -> [LibraryImage] { order.compactMap { entries[$0]?.image } }

    /// The image with `id` and its file.
    func file(_ id: String) throws -> (image: LibraryImage, url: URL) {
        guard let entry = entries[id] else { throw PreviewError.notFound("image \(id)") }
        return (entry.image, entry.url)
    }

    /// A file the browser can show for `id`: the original PNG or JPEG, or a PNG copy of other formats.
    func displayFile(_ id: String) throws -> (url: URL, contentType: String) {
        guard var entry = entries[id] else { throw PreviewError.notFound("image \(id)") }
        switch entry.image.format {
        case ImageFormat.png.rawValue: return (entry.url, "image/png")
        case ImageFormat.jpeg.rawValue: return (entry.url, "image/jpeg")
        default: break
        }
        if let display = entry.display { return (display, "image/png") }
        let copy = uploads.appendingPathComponent("display-\(id).png")
        do {
            try ImageReader.read(entry.url, maxPixels: maxPixels).write(to: copy, format: .png)
        } catch {
            throw PreviewError.unreadableImage(name: entry.image.name, reason: "\(error)")
        }
        entry.display = copy
        entries[id] = entry
        return (copy, "image/png")
    }

    /// The last path component of a browser-supplied name, with only plain characters kept.
    static func safeFileName(_ name: String) -> String {
        let last = name.split(separator: "/").last.map(String.init) ?? ""
        let kept = String(
            last.unicodeScalars.filter { CharacterSet.alphanumerics.contains($0) || "._-".unicodeScalars.contains($0) }
                .map(Character.init))
        let trimmed = String(kept.drop { $0 == "." }.prefix(100))
        return trimmed.isEmpty ? "upload" : trimmed
    }
}
