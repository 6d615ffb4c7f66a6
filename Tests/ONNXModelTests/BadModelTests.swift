import Foundation
import ONNXModel
import Testing
import TensorCore
import TesseraTestSupport

@Suite("Malformed models give one clear error naming the file and the cause")
struct BadModelTests {
    static let directory = Fixtures.repositoryRoot.appendingPathComponent("Tests/Fixtures/BadModels")

    /// Loads and validates, returning the error's one-line description.
    private func failure(_ url: URL) -> String? {
        do {
            let model = try Model(contentsOf: url)
            try model.validate()
            return nil
        } catch let error as ModelFileError {
            return error.description
        } catch let error as ONNXModelError {
            return "\(url.path): \(error)"
        } catch {
            return "unexpected error type: \(error)"
        }
    }

    @Test(
        "Committed bad models",
        arguments: [
            ("cycle.onnx", "cycle through nodes 'loop_add' (Add), 'loop_relu' (Relu)"),
            ("external-escape.onnx", "external data '../outside.bin': '..' would leave the model's folder"),
            ("external-absolute.onnx", "external data '/etc/passwd': absolute paths are refused"),
            ("huge-dimension.onnx", "'huge': dimension 4611686018427387904 is out of range"),
            ("huge-input-dimension.onnx", "'x': dimension 4611686018427387904 is out of range"),
            ("dangling-input.onnx", "node 'add_ghost' (Add): input 'ghost' is not produced"),
            ("duplicate-producer.onnx", "node 'sigmoid_b' (Sigmoid): output 'y' is also produced by node 'relu_a' (Relu)"),
            ("unknown-domain.onnx", "node 'frob' (Frobnicate): domain 'com.example' is not among the model's opset imports"),
            ("image-renamed.onnx", "not an ONNX model: the file is a PNG image"),
        ])
    func committed(file: String, expected: String) throws {
        let url = Self.directory.appendingPathComponent(file)
        let message = try #require(failure(url))
        #expect(message.hasPrefix(url.path + ": "))
        #expect(message.contains(expected), "\(message)")
        #expect(!message.contains("\n"))
    }

    @Test("Truncated, empty and random files")
    func damagedBytes() throws {
        let directory = try Fixtures.temporaryDirectory("damaged")
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = try #require(try Fixtures.lightModels().first)
        let bytes = try Data(contentsOf: source)

        let truncated = directory.appendingPathComponent("truncated.onnx")
        try bytes.prefix(bytes.count / 2).write(to: truncated)
        #expect(failure(truncated)?.contains("truncated") == true)

        let empty = directory.appendingPathComponent("empty.onnx")
        try Data().write(to: empty)
        #expect(failure(empty)?.contains("the file is empty") == true)

        var generator = SeededGenerator(seed: 7)
        let random = directory.appendingPathComponent("random.onnx")
        try Data((0..<4096).map { _ in UInt8.random(in: 0...255, using: &generator) }).write(to: random)
        #expect(failure(random)?.contains("not an ONNX model") == true)

        let missing = directory.appendingPathComponent("missing.onnx")
        #expect(failure(missing)?.contains("cannot read: No such file or directory") == true)
        #expect(failure(directory)?.contains("not a regular file") == true)
    }
}
