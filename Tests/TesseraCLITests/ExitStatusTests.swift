import Foundation
import Testing
import TesseraTestSupport

@Suite("Errors and exit status")
struct ExitStatusTests {
    static let badModels = Fixtures.repositoryRoot.appendingPathComponent("Tests/Fixtures/BadModels")

    @Test(
        "A bad model is one line on stderr naming the file, exit status 1",
        arguments: [
            "cycle.onnx", "external-escape.onnx", "huge-dimension.onnx", "huge-input-dimension.onnx",
            "image-renamed.onnx", "dangling-input.onnx", "no-such-file.onnx",
        ])
    func badModel(file: String) throws {
        let path = Self.badModels.appendingPathComponent(file).path
        let result = try TesseraBinary.run(["inspect", path])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(result.stderr)")
        #expect(result.stderr.hasPrefix("tessera: \(path): "), "\(result.stderr)")
    }

    @Test(
        "Usage errors exit with status 2",
        arguments: [
            ["inspect"], ["inspect", "m.onnx", "--no-such-flag"], ["inspect", "m.onnx", "--input-shape", "x=1xAx3"],
            ["no-such-command"],
        ])
    func usage(arguments: [String]) throws {
        let result = try TesseraBinary.run(arguments)
        #expect(result.status == 2, "\(result.stderr)")
        #expect(!result.stderr.isEmpty)
    }

    @Test("An --input-shape for an input the model lacks is a usage error naming the inputs")
    func unknownInput() throws {
        let model = try #require(try Fixtures.lightModels().first)
        let result = try TesseraBinary.run(["inspect", model.path, "--input-shape", "nope=1x3x8x8"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("no input 'nope'"))
    }

    @Test("--help teaches, exit status 0")
    func help() throws {
        let result = try TesseraBinary.run(["inspect", "--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("--input-shape"))
        #expect(result.stdout.contains("Examples"))
    }
}
