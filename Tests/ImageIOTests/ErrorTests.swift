import Foundation
import ImageIO
import Testing
import TesseraTestSupport

/// Which error a bad file must produce (the reason text is the codec's, so only the kind is pinned).
private enum Kind: String, CustomStringConvertible {
    case fileNotFound, unreadable, emptyFile, unknownFormat, truncated, corrupt, unsupported
    var description: String { rawValue }

    init(_ error: ImageIOError) {
        switch error {
        case .fileNotFound: self = .fileNotFound
        case .unreadable: self = .unreadable
        case .emptyFile: self = .emptyFile
        case .unknownFormat: self = .unknownFormat
        case .truncated: self = .truncated
        case .corrupt: self = .corrupt
        default: self = .unsupported
        }
    }
}

@Suite("Bad input files", .imageFixtures)
struct ErrorTests {
    /// Reads `url` and returns the error's kind, checking that it names the file.
    private func failure(reading url: URL) -> Kind? {
        do {
            _ = try ImageReader.read(url)
            return nil
        } catch {
            #expect(error.path == url.path)
            #expect(error.description.hasPrefix(url.path + ": "))
            return Kind(error)
        }
    }

    private func bytes(of fixture: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: ImageOracle.fixture(fixture))) }

    @Test("Empty, truncated, corrupt and foreign files give the matching error", arguments: [
        "png_rgb8.png", "png_interlaced16.png", "jpeg_rgb420.jpg", "jpeg_progressive.jpg", "tiff_rgb8.tif", "tiff_tiled.tif",
        "tiff_lzw.tif", "webp_rgb_lossy.webp", "webp_rgba_lossless.webp",
        // Not jxl_rgb8.jxl: garbage in a bare lossless codestream's table of contents claims more bytes
        // than the file holds, which libjxl cannot tell from a cut, so it reads as truncated.
        "avif_rgb.avif", "heif_rgb.heic", "heif_rgba10.heic", "jxl_lossy.jxl", "jxl_orientation6.jxl",
    ])
    func damagedFiles(fixture: String) throws {
        let folder = try Fixtures.temporaryDirectory("imageio-damaged")
        defer { try? FileManager.default.removeItem(at: folder) }
        let good = try bytes(of: fixture)
        let ext = (fixture as NSString).pathExtension
        func file(_ name: String, _ contents: [UInt8]) throws -> URL {
            let url = folder.appendingPathComponent("\(name).\(ext)")
            try Data(contents).write(to: url)
            return url
        }
        #expect(failure(reading: try file("empty", [])) == .emptyFile)
        #expect(failure(reading: try file("half", Array(good.prefix(good.count / 2)))) == .truncated)
        #expect(failure(reading: try file("signature", Array(good.prefix(3)))) == .truncated)
        #expect(failure(reading: try file("text", Array("just some words, long enough".utf8))) == .unknownFormat)
        var corrupt = good
        // Garbage over the first 400 bytes after the longest signature (WebP's RIFF header):
        // headers and the start of the data.
        for index in 12..<min(corrupt.count, 400) { corrupt[index] = UInt8(truncatingIfNeeded: index &* 37) }
        #expect(failure(reading: try file("corrupt", corrupt)) == .corrupt)
    }

    @Test("A TIFF that libtiff wrote, with its directory at the end, cut short is truncated")
    func truncatedTrailingDirectory() throws {
        let folder = try Fixtures.temporaryDirectory("imageio-cut")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("whole.tif")
        try ImageReader.read(try ImageOracle.fixture("png_rgb8.png")).write(to: url)
        let data = try Data(contentsOf: url)
        let cut = folder.appendingPathComponent("cut.tif")
        try data.prefix(data.count - 100).write(to: cut)
        #expect(failure(reading: cut) == .truncated)
    }

    @Test("Missing files and folders are named")
    func missing() throws {
        let folder = try Fixtures.temporaryDirectory("imageio-missing")
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(failure(reading: folder.appendingPathComponent("nothing.png")) == .fileNotFound)
        #expect(failure(reading: folder) == .unreadable)
    }

    @Test("CMYK JPEG, floating-point TIFF and animated WebP are refused as unsupported")
    func unsupportedVariants() throws {
        let files = try ImageOracle.unsupportedFiles()
        #expect(files.count == 3)
        for url in files { #expect(failure(reading: url) == .unsupported, "\(url.lastPathComponent)") }
    }
}
