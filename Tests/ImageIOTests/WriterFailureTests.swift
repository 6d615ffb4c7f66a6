import Foundation
import ImageIO
import Testing
import TesseraTestSupport

@Suite("A writer that fails or is cancelled leaves nothing behind")
struct WriterFailureTests {
    private func contents(of folder: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
    }

    private let row = [Float](repeating: 0.5, count: 16 * 3)

    @Test("Cancelled, abandoned and unfinished writers remove their temporary file", arguments: ["png", "jpg", "tif"])
    func noLeftovers(fileExtension: String) throws {
        let folder = try Fixtures.temporaryDirectory("imageio-cancel")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("out.\(fileExtension)")

        let cancelled = try ImageWriter(url: url, width: 16, height: 4, layout: .rgb8)
        try cancelled.write(rows: row, rowCount: 1)
        #expect(contents(of: folder).count == 1, "the temporary file exists while writing")
        cancelled.cancel()
        #expect(contents(of: folder).isEmpty)
        #expect(throws: ImageIOError.self) { try cancelled.write(rows: row, rowCount: 1) }

        do {
            let abandoned = try ImageWriter(url: url, width: 16, height: 4, layout: .rgb8)
            try abandoned.write(rows: row + row, rowCount: 2)
        }
        #expect(contents(of: folder).isEmpty, "releasing an unfinished writer removes its file")

        let early = try ImageWriter(url: url, width: 16, height: 4, layout: .rgb8)
        try early.write(rows: row + row + row, rowCount: 3)
        #expect(throws: ImageIOError.invalidUse(path: url.path, reason: "finish after 3 of 4 rows")) { try early.finish() }
        #expect(throws: ImageIOError.self) { try early.write(rows: row + row, rowCount: 2) }
        #expect(throws: ImageIOError.self) { try early.write(rows: row, rowCount: 2) }
        early.cancel()
        #expect(contents(of: folder).isEmpty)
    }

    @Test("A missing or unwritable folder is reported when the writer is created")
    func unwritableFolder() throws {
        let folder = try Fixtures.temporaryDirectory("imageio-nofolder")
        defer { try? FileManager.default.removeItem(at: folder) }
        let missing = folder.appendingPathComponent("absent/out.png")
        let reason = "the folder \(folder.path)/absent does not exist"
        #expect(throws: ImageIOError.cannotCreate(path: missing.path, reason: reason)) {
            try ImageWriter(url: missing, width: 4, height: 4, layout: .rgb8)
        }
        let blocker = folder.appendingPathComponent("file")
        try Data("x".utf8).write(to: blocker)
        let underFile = blocker.appendingPathComponent("out.tif")
        #expect(throws: ImageIOError.self) { try ImageWriter(url: underFile, width: 4, height: 4, layout: .rgb8) }
        #expect(contents(of: folder) == ["file"])
    }

    @Test("Unknown extensions and impossible layouts are refused before a file exists")
    func refusedRequests() throws {
        let folder = try Fixtures.temporaryDirectory("imageio-refused")
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(throws: ImageIOError.self) {
            try ImageWriter(url: folder.appendingPathComponent("out.gif"), width: 4, height: 4, layout: .rgb8)
        }
        #expect(throws: ImageIOError.self) {
            try ImageWriter(url: folder.appendingPathComponent("out.jxl"), width: 4, height: 4, layout: .rgb8)
        }
        #expect(throws: ImageIOError.self) {
            let fiveChannels = PixelLayout(channels: 5, bitDepth: 8)
            return try ImageWriter(url: folder.appendingPathComponent("out.png"), width: 4, height: 4, layout: fiveChannels)
        }
        #expect(throws: ImageIOError.self) {
            try ImageWriter(url: folder.appendingPathComponent("out.jpg"), width: 70000, height: 4, layout: .rgb8)
        }
        let writer = try ImageWriter(url: folder.appendingPathComponent("out.png"), width: 16, height: 4, layout: .rgb8)
        #expect(throws: ImageIOError.self) { try writer.write(rows16: [UInt16](repeating: 0, count: 48), rowCount: 1) }
        writer.cancel()
        #expect(contents(of: folder).isEmpty)
    }

    @Test("A file that cannot be moved into place is removed")
    func finishFails() throws {
        let folder = try Fixtures.temporaryDirectory("imageio-blocked")
        defer { try? FileManager.default.removeItem(at: folder) }
        // A non-empty folder where the file should go: rename(2) refuses to replace it.
        let url = folder.appendingPathComponent("out.tif")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: false)
        try Data("x".utf8).write(to: url.appendingPathComponent("inside"))
        let writer = try ImageWriter(url: url, width: 16, height: 1, layout: .rgb8)
        try writer.write(rows: row, rowCount: 1)
        #expect {
            try writer.finish()
        } throws: { error in
            guard case .writeFailed(let path, _) = error as? ImageIOError else { return false }
            return path == url.path
        }
        #expect(contents(of: folder) == ["out.tif"])
    }

    @Test("Finishing replaces an existing file at once")
    func replaces() throws {
        let folder = try Fixtures.temporaryDirectory("imageio-replace")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("out.png")
        try Data("old".utf8).write(to: url)
        let image = try TestImages.random(width: 16, height: 4, layout: .rgb8, seed: 3)
        try image.write(to: url)
        #expect(try ImageReader.read(url).samples == image.samples)
        #expect(contents(of: folder) == ["out.png"])
    }

    @Test("Images check their sample counts")
    func imageValidation() {
        #expect(throws: Image.LayoutError.self) { try Image(width: 2, height: 2, layout: .rgb8, samples8: [1, 2, 3]) }
        #expect(throws: Image.LayoutError.self) { try Image(width: 1, height: 1, layout: .rgb8, samples16: [1, 2, 3]) }
        #expect(throws: Image.LayoutError.self) { try Image(width: 0, height: 1, layout: .gray8, samples8: []) }
    }
}
