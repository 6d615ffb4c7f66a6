import Foundation
import ImageIO
import Testing
import TesseraTestSupport

/// Inputs that coverage-guided fuzzing (`Scripts/fuzz.sh FuzzImage`) found to crash a reader or
/// exhaust memory, kept in Tests/Fixtures/FuzzFindings/FuzzImage (the fuzz runs replay them too).
/// Each must now be refused with an error that names the file and the cause.
@Suite("Inputs found by fuzzing the image readers")
struct ImageFuzzFindingTests {
    static let folder = Fixtures.repositoryRoot.appendingPathComponent("Tests/Fixtures/FuzzFindings/FuzzImage")

    @Test("Refused as corrupt, naming the file and the cause", arguments: [
        // A 16 × 12 TIFF whose tile width says 4261412880: one tile buffer was 409 GB.
        ("tiff-tile-width-4261412880.tif", "tiles do not fit a 16 × 12 image"),
    ])
    func refused(file: String, cause: String) throws {
        let url = Self.folder.appendingPathComponent(file)
        for read in [{ _ = try ImageReader.read(url) }, { _ = try ImageRowReader(url) }] as [() throws -> Void] {
            let error = try #require(throws: ImageIOError.self) { try read() }
            guard case .corrupt = error else { Issue.record("expected a corrupt-file error, got \(error)"); continue }
            #expect(error.path == url.path)
            #expect(error.description.contains(cause), "\(error)")
        }
    }
}
