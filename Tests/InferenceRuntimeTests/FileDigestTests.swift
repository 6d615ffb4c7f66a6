import Foundation
import InferenceRuntime
import Testing
import TesseraTestSupport

@Suite("File digests remembered between runs")
struct FileDigestTests {
    private func sha256sum(_ url: URL) throws -> String {
        String(try runProcess(URL(fileURLWithPath: "/usr/bin/sha256sum"), [url.path]).stdout.prefix(64))
    }

    @Test("A remembered digest equals sha256sum's, and follows the file when its bytes change at the same size")
    func remembered() throws {
        let folder = try Fixtures.temporaryDirectory("digests")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("model.onnx")
        let memos = folder.appendingPathComponent("cache")
        try Data(repeating: 1, count: 1 << 20).write(to: file)
        let first = try FileDigest.sha256(of: file, rememberedIn: memos)
        #expect(first == (try sha256sum(file)))
        #expect(try FileDigest.sha256(of: file, rememberedIn: memos) == first)
        #expect(try FileManager.default.contentsOfDirectory(atPath: memos.appendingPathComponent("digests").path).count == 1)

        // Same size, other bytes, a later modification time: hashed again.
        try Data(repeating: 2, count: 1 << 20).write(to: file)
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(5)], ofItemAtPath: file.path)
        let second = try FileDigest.sha256(of: file, rememberedIn: memos)
        #expect(second == (try sha256sum(file)) && second != first)

        // A damaged memo only costs a hash.
        let memo = try #require(try FileManager.default.contentsOfDirectory(
            at: memos.appendingPathComponent("digests"), includingPropertiesForKeys: nil).first)
        try Data("{".utf8).write(to: memo)
        #expect(try FileDigest.sha256(of: file, rememberedIn: memos) == second)
    }
}
