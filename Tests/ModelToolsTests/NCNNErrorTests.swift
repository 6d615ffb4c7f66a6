import Foundation
import ModelTools
import Testing
import TesseraTestSupport

@Suite("Broken ncnn models give one clear error and write nothing")
struct NCNNErrorTests {
    /// Imports `param` text and `bin` bytes from a temporary folder; returns the error's text and
    /// whether the output model or manifest appeared.
    func failure(param: String, bin: Data) throws -> (message: String, wroteSomething: Bool) {
        let folder = try Fixtures.temporaryDirectory("ncnn-errors")
        defer { try? FileManager.default.removeItem(at: folder) }
        let paramURL = folder.appendingPathComponent("model.param")
        let binURL = folder.appendingPathComponent("model.bin")
        let output = folder.appendingPathComponent("out.onnx")
        try Data(param.utf8).write(to: paramURL)
        try bin.write(to: binURL)
        var message = ""
        do {
            _ = try NCNNImporter.importAndWrite(param: paramURL, weights: binURL, output: output)
        } catch {
            message = error.description
        }
        let wrote = FileManager.default.fileExists(atPath: output.path)
            || FileManager.default.fileExists(atPath: folder.appendingPathComponent("out.json").path)
        return (message, wrote)
    }

    /// A 3→4 channel 1×1 convolution with bias, float32 weights: 4 + 12·4 + 4·4 bytes.
    static let param = """
        7767517
        2 2
        Input            in0      0 1 data
        Convolution      conv0    1 1 data output 0=4 1=1 5=1 6=12
        """
    static var bin: Data {
        var data = Data(count: 4)
        for value in (0..<16).map(Float.init) { withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
        return data
    }

    @Test("The well-formed fixture imports")
    func fixtureImports() throws {
        let outcome = try failure(param: Self.param, bin: Self.bin)
        #expect(outcome.message.isEmpty)
    }

    @Test("A .bin one byte short names the file and the layer")
    func truncatedWeights() throws {
        let outcome = try failure(param: Self.param, bin: Self.bin.dropLast())
        #expect(outcome.message.contains("model.bin"))
        #expect(outcome.message.contains("conv0"))
        #expect(outcome.message.contains("truncated"))
        #expect(!outcome.wroteSomething)
    }

    @Test("A graph that converts but cannot run (4 channels added to 3) names the layer and writes nothing")
    func failsItsCheck() throws {
        let param = """
            7767517
            4 5
            Input            in0      0 1 data
            Split            split    1 2 data a b
            Convolution      conv0    1 1 a c 0=4 1=1 5=1 6=12
            BinaryOp         add0     2 1 c b output 0=0
            """
        let outcome = try failure(param: param, bin: Self.bin)
        #expect(outcome.message.contains("model.param"))
        #expect(outcome.message.contains("layer 'add0'"))
        #expect(outcome.message.contains("nothing was written"))
        #expect(!outcome.wroteSomething)
    }

    @Test("A bad magic number names the file and line 1")
    func badMagic() throws {
        let outcome = try failure(param: Self.param.replacingOccurrences(of: "7767517", with: "7767518"), bin: Self.bin)
        #expect(outcome.message.contains("model.param:1:"))
        #expect(outcome.message.contains("magic"))
        #expect(!outcome.wroteSomething)
    }

    @Test("An absurd layer count names line 2")
    func absurdLayerCount() throws {
        let outcome = try failure(param: Self.param.replacingOccurrences(of: "\n2 2\n", with: "\n2000000000 2\n"), bin: Self.bin)
        #expect(outcome.message.contains("model.param:2:"))
        #expect(outcome.message.contains("2000000000"))
        #expect(!outcome.wroteSomething)
    }

    @Test("A blob read before it is produced names its line")
    func blobBeforeProducer() throws {
        let outcome = try failure(param: Self.param.replacingOccurrences(of: "data output", with: "missing output"), bin: Self.bin)
        #expect(outcome.message.contains("model.param:4:"))
        #expect(outcome.message.contains("'missing'"))
        #expect(!outcome.wroteSomething)
    }

    @Test("An unknown layer type names the type, the layer and the line")
    func unknownLayer() throws {
        let text = Self.param.replacingOccurrences(of: "Convolution      conv0", with: "FancyOp          conv0")
        let outcome = try failure(param: text, bin: Self.bin)
        #expect(outcome.message.contains("model.param:4:"))
        #expect(outcome.message.contains("'FancyOp'"))
        #expect(outcome.message.contains("'conv0'"))
        #expect(!outcome.wroteSomething)
    }

    @Test("Quantized weight tags are refused")
    func quantizedWeights() throws {
        var bin = Self.bin
        bin.replaceSubrange(0..<4, with: [0x38, 0x4B, 0x0D, 0x00])
        let outcome = try failure(param: Self.param, bin: bin)
        #expect(outcome.message.contains("int8"))
        #expect(!outcome.wroteSomething)
    }

    @Test("Shape expressions ncnn evaluates but the importer cannot build name the layer and the reason", arguments: [
        (#"Interp i 1 1 output out2 0=2 9="atan2(0w,2),0h""#, "'atan2' is not supported"),
        (#"Interp i 1 1 output out2 0=2 9="+(1w,1),0h""#, "reads input 1, but the layer has 1"),
        (#"Interp i 1 1 output out2 0=2 9="+(0w""#, "lacks an operand"),
        (#"Reshape r 1 1 output out2 6="0w,0h,0c,1,1""#, "lists 5 sizes"),
        (#"Crop c 1 1 output out2 19="1""#, "come together"),
        (#"Crop c 1 1 output out2 19="1" 20="-1""#, "3 axes need as many starts and ends, found 1 and 1"),
        (#"Crop c 1 1 output out2 19="1" 20="-1" 21="0h""#, "must be a number"),
    ])
    func expressions(layer: String, reason: String) throws {
        let text = Self.param.replacingOccurrences(of: "2 2\n", with: "3 3\n") + "\n" + layer
        let outcome = try failure(param: text, bin: Self.bin)
        #expect(outcome.message.contains("model.param:5:"), "\(outcome.message)")
        #expect(outcome.message.contains(reason), "\(outcome.message)")
        #expect(!outcome.wroteSomething)
    }

    @Test("Parameters the importer cannot map (or ncnn cannot run) name the layer and the reason", arguments: [
        ("UnaryOp u 1 1 output out2 0=28", "UnaryOp type 28"),
        ("Log l 1 1 output out2 0=1.000000e+00", "logarithm base 1.0"),
        ("HardSwish h 1 1 output out2 0=-1.000000e+00", "alpha -1.0 must be positive"),
        ("CELU c 1 1 output out2 0=0", "alpha must not be 0"),
        ("Bias b 1 1 output out2 0=3", "3 biases for 4 channels"),
        ("GroupNorm g 1 1 output out2 0=3 1=4 3=0", "4 channels do not split into 3 equal groups"),
        ("GroupNorm g 1 1 output out2 0=2 1=8 3=0", "8 channels declared; the blob has 4"),
        ("LayerNorm l 1 1 output out2 0=16 2=0", "at run time"),
        ("ShuffleChannel s 1 1 output out2 0=3", "4 channels do not split into 3 groups"),
        ("Squeeze q 1 1 output out2 -23303=1,1", "depends on the input's size"),
        ("ExpandDims e 1 1 output out2 -23303=2,0,0", "distinct new axes"),
        ("Flip f 1 1 output out2 -23300=1,3", "axis 3 is outside a 3-D blob"),
        ("Tile t 1 1 output out2 -23302=1,0", "positive counts"),
        ("Tile t 1 1 output out2 0=0 1=4611686018427387904", "overflow"),
        ("Reduction r 1 1 output out2 1=0 -23303=1,0", "without 5=1"),
        ("Reduction r 1 1 output out2 0=11", "Reduction operation 11"),
        ("Gemm g 1 1 output out2 5=1", "a constant B needs its sizes"),
        ("Unfold u 1 1 output out2 1=3037000500 11=3037000500", "overflow"),
        ("Unfold u 1 1 data out2 1=3", "channel count the .param fixes"),
        ("Normalize n 1 1 output out2 3=3", "scale_data_size 3 must be 1 with channel_shared, else the channel count"),
        ("Gemm g 1 1 output out2 5=1 8=2 9=4 18=1", "quantized Gemm"),
        ("Gemm g 1 1 output out2 5=1 6=1 7=3 8=2 9=4 10=5", "broadcast type 5"),
    ])
    func layerParameters(layer: String, reason: String) throws {
        try expressions(layer: layer, reason: reason)
    }
}
