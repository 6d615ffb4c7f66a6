import Foundation
import Testing
import TesseraTestSupport

@Suite("A library of an unsupported version is skipped with its reason")
struct LibraryVersionTests {
    @Test("An ONNX Runtime that reports 1.8.0 is refused as too old, and the venv's library is used instead")
    func tooOld() throws {
        let directory = try Fixtures.temporaryDirectory("old-ort")
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = Fixtures.repositoryRoot.appendingPathComponent("Tests/Fixtures/FakeLibraries/old_onnxruntime.c")
        let library = directory.appendingPathComponent("libonnxruntime.so")
        let compile = try runProcess(
            URL(fileURLWithPath: "/usr/bin/cc"), ["-shared", "-fPIC", "-o", library.path, source.path])
        #expect(compile.status == 0, "\(compile.stderr)")

        let result = try runProcess(
            try TesseraBinary.url(), ["devices"], environment: ["TESSERA_ONNXRUNTIME_LIBRARY": library.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("\(library.path) (environment): skipped: ONNX Runtime 1.8.0 is older than 1.12"), "\(result.stdout)")
        #expect(result.stdout.contains("onnxruntime  1.31.1"), "the venv's library is still found")
        #expect(result.stderr.isEmpty, "ORT must never be asked for an API it lacks (it would print to stderr)")
    }
}
