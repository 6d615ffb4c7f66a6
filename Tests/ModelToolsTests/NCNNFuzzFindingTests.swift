import Foundation
import ModelTools
import Testing
import TesseraTestSupport

/// Inputs that coverage-guided fuzzing (`Scripts/fuzz.sh FuzzNCNN`) found to crash the importer or
/// exhaust memory, kept in Tests/Fixtures/FuzzFindings/FuzzNCNN (the fuzz runs replay them too).
/// Each input is laid out as the fuzz target reads it: the `.param` text, a NUL, the `.bin`.
@Suite("Inputs found by fuzzing the ncnn importer")
struct NCNNFuzzFindingTests {
    static let folder = Fixtures.repositoryRoot.appendingPathComponent("Tests/Fixtures/FuzzFindings/FuzzNCNN")

    @Test("Refused before the import check allocates, naming the file, the layer and the cause", arguments: [
        // An Input layer declaring 77677153 channels: the check's native run of the imported graph
        // built a 19.9 GB input at 8×8 before any kernel ran.
        ("input-channels-77677153.bin", "would take more than 512 MiB"),
    ])
    func refused(file: String, cause: String) throws {
        let bytes = try Data(contentsOf: Self.folder.appendingPathComponent(file))
        let split = bytes.firstIndex(of: 0) ?? bytes.endIndex
        let folder = try Fixtures.temporaryDirectory("ncnn-finding")
        defer { try? FileManager.default.removeItem(at: folder) }
        let param = folder.appendingPathComponent("m.param")
        let weights = folder.appendingPathComponent("m.bin")
        try bytes[..<split].write(to: param)
        try (split < bytes.endIndex ? bytes[(split + 1)...] : Data()).write(to: weights)
        let error = try #require(throws: NCNNImportError.self) { try NCNNImporter.importModel(param: param, weights: weights) }
        guard case .invalidGraph(let path, _, let reason) = error else {
            Issue.record("expected an invalid-graph error, got \(error)")
            return
        }
        #expect(path == param.path)
        #expect(reason.contains(cause), "\(error)")
    }
}
