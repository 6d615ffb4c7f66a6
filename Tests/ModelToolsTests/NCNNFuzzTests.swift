import Foundation
import ModelTools
import Testing
import TesseraTestSupport

@Suite("Mutated ncnn files never crash the importer")
struct NCNNFuzzTests {
    @Test("200 token mutations of a real .param and 50 truncations of its .bin end in success or NCNNImportError")
    func mutations() throws {
        let (param, bin) = try NCNNTestSupport.files("realesr-animevideov3-x4")
        let text = try String(contentsOf: param, encoding: .utf8)
        let weights = try Data(contentsOf: bin)
        let folder = try Fixtures.temporaryDirectory("ncnn-fuzz")
        defer { try? FileManager.default.removeItem(at: folder) }
        let paramURL = folder.appendingPathComponent("m.param")
        let binURL = folder.appendingPathComponent("m.bin")
        let output = folder.appendingPathComponent("m.onnx")
        let replacements = ["-1", "0", "2000000000", "-233", "9=7", "0=-5", "1.5e39", "x", "-23310=99,1", "6=1", "3 3", ""]
        var generator = SeededGenerator(seed: 21)
        var failures = 0
        for round in 0..<250 {
            var mutatedText = text
            var mutatedBin = weights
            if round < 200 {
                var tokens = text.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
                for _ in 0..<Int.random(in: 1...3, using: &generator) {
                    let index = Int.random(in: 0..<tokens.count, using: &generator)
                    tokens[index] = replacements[Int.random(in: 0..<replacements.count, using: &generator)]
                }
                mutatedText = tokens.joined(separator: " ")
            } else {
                mutatedBin = weights.prefix(Int.random(in: 0..<weights.count, using: &generator))
            }
            try Data(mutatedText.utf8).write(to: paramURL)
            try mutatedBin.write(to: binURL)
            do {
                _ = try NCNNImporter.importAndWrite(param: paramURL, weights: binURL, output: output)
                try? FileManager.default.removeItem(at: output)
            } catch {
                failures += 1
                #expect(!error.description.isEmpty)
                #expect(!FileManager.default.fileExists(atPath: output.path))
            }
        }
        print("ncnn fuzz: \(failures) of 250 mutations refused with an error")
        #expect(failures >= 50)
    }
}
