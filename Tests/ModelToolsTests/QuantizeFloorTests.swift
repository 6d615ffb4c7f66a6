import Foundation
import InferenceRuntime
import ModelTools
import ONNXModel
import Testing
import TesseraTestSupport

/// `tessera quantize --min-psnr`: the written model reaches the floor on held-back photos as ONNX
/// Runtime's Python API measures it, with the layers kept float named; a floor no quantized model
/// reaches writes nothing.
@Suite("Quantization to a quality floor")
struct QuantizeFloorTests {
    @Test("realesr-animevideov3-x4: the floor holds on held-back photos (ORT Python), float layers named")
    func animeX4Floor() throws {
        let folder = try Fixtures.temporaryDirectory("quantize-floor")
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = try Fixtures.importedModel("realesr-animevideov3-x4", into: folder)
        let calibration = folder.appendingPathComponent("calibration")
        let heldBack = folder.appendingPathComponent("held-back")
        for (photos, destination) in [(["chelsea.png", "coffee.png"], calibration), (["astronaut.png", "camera.png"], heldBack)] {
            try FileManager.default.createDirectory(at: destination, withIntermediateDirectories: true)
            for photo in photos {
                try FileManager.default.copyItem(at: try Fixtures.samplePhoto(photo), to: destination.appendingPathComponent(photo))
            }
        }
        let photos = ["astronaut.png", "camera.png"].map { heldBack.appendingPathComponent($0).path }
        func oraclePSNR(_ quantized: URL) throws -> [String: Double] {
            try JSONDecoder().decode(
                [String: Double].self,
                from: Data(try runPython("Tests/Oracles/holdout_psnr.py", [model.path, quantized.path] + photos).utf8))
        }
        let common = [model.path, "--calibration", calibration.path, "--per-channel", "--method", "mse"]

        // Every layer integer: the oracle's worst photo sets a floor 1 dB above it.
        let plain = folder.appendingPathComponent("plain.onnx")
        let first = try TesseraBinary.run(["quantize"] + common + ["-o", plain.path])
        #expect(first.status == 0, "\(first.stderr)")
        let floor = try #require(try oraclePSNR(plain).values.min()) + 1

        let floored = folder.appendingPathComponent("floored.onnx")
        let run = try TesseraBinary.run(
            ["quantize"] + common + ["-o", floored.path, "--holdout", heldBack.path, "--min-psnr", String(floor), "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let floorReport = try #require(report["floor"] as? [String: Any])
        let floatLayers = try #require(floorReport["floatLayers"] as? [[String: Any]])
        let nodeNames = Set(try Model(contentsOf: model).graph.nodes.map(\.name))
        #expect(!floatLayers.isEmpty, "a floor above the all-integer model's PSNR keeps some layer float")
        for layer in floatLayers {
            let name = try #require(layer["node"] as? String)
            #expect(nodeNames.contains(name), "\(name) is a node of the model")
            #expect((layer["sensitivity"] as? Double) != nil)
        }
        let measured = try oraclePSNR(floored)
        print("floor \(floor) dB: ORT Python measures \(measured), kept float \(floatLayers.compactMap { $0["node"] })")
        // The oracle sums in a different order than the quantizer: allow 0.01 dB.
        for (photo, psnr) in measured { #expect(psnr >= floor - 0.01, "\(photo): \(psnr) dB < \(floor) dB") }
        // The written model keeps those layers' weights float: their Conv reads a float initializer.
        let written = try Model(contentsOf: floored).graph
        let constants = written.initializersByName
        for layer in floatLayers {
            let node = try #require(written.nodes.first { $0.name == layer["node"] as? String })
            #expect(constants[node.inputs[1]]?.tensor.dataType == .float32, "\(node.name) weight")
        }
    }

    @Test("a floor no quantized model reaches: exit 1, the reason on stderr, nothing written")
    func unreachableFloor() throws {
        let folder = try Fixtures.temporaryDirectory("quantize-floor-unmet")
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = folder.appendingPathComponent("float.onnx")
        try QuantizeTestSupport.convModel().write(to: source)
        let output = folder.appendingPathComponent("int8.onnx")
        let run = try TesseraBinary.run([
            "quantize", source.path, "-o", output.path, "--calibration", "random:4", "--holdout", "random:2",
            "--min-psnr", "200",
        ])
        #expect(run.status == 1)
        #expect(run.stderr.contains("no quantized model reaches 200.00 dB on random:2"), "\(run.stderr)")
        #expect(run.stderr.contains("nothing was written"))
        #expect(!FileManager.default.fileExists(atPath: output.path))
    }

    @Test("without --holdout, every third calibration image is held back and not calibrated on")
    func defaultSplit() throws {
        let folder = try Fixtures.temporaryDirectory("quantize-split")
        defer { try? FileManager.default.removeItem(at: folder) }
        let names = ["a.png", "b.png", "c.png", "d.png", "e.jpg", "f.tif", "notes.txt"]
        for name in names { try Data().write(to: folder.appendingPathComponent(name)) }
        let split = try CalibrationSource.images(folder).heldBack()
        guard case .imageFiles(let calibration) = split.calibration, case .imageFiles(let held) = split.heldBack else {
            Issue.record("not image lists: \(split)")
            return
        }
        #expect(calibration.map(\.lastPathComponent) == ["a.png", "b.png", "d.png", "e.jpg"])
        #expect(held.map(\.lastPathComponent) == ["c.png", "f.tif"])
        #expect(throws: QuantizeError.self) { try CalibrationSource.random(count: 4).heldBack() }
    }
}

/// `--symmetric-activations`: every activation zero point is 0, as the `onnx` package reads the
/// written model, and the model still runs close to the float one.
@Suite("Symmetric activations")
struct QuantizeSymmetricTests {
    @Test("S8S8 per-channel with symmetric activations: all QuantizeLinear zero points 0")
    func zeroPoints() async throws {
        let folder = try Fixtures.temporaryDirectory("quantize-symmetric")
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = try QuantizeTestSupport.convModel()
        let file = folder.appendingPathComponent("symmetric.onnx")
        try await QuantizeTestSupport.quantize(model, QuantizationOptions(perChannel: true, symmetricActivations: true))
            .model.write(to: file)
        let zeroPoints = try JSONDecoder().decode(
            [String: [Double]].self, from: Data(try runPython("Tests/Oracles/zero_points.py", [file.path]).utf8))
        #expect(zeroPoints.count == 3, "the input, conv1's and PRelu's outputs: \(zeroPoints.keys.sorted())")
        for (node, values) in zeroPoints { #expect(values.allSatisfy { $0 == 0 }, "\(node): \(values)") }
    }

    @Test("unsigned symmetric activations are refused")
    func unsigned() async throws {
        await #expect(throws: QuantizeError.symmetricNeedsSignedActivations) {
            try await QuantizeTestSupport.quantize(
                try QuantizeTestSupport.convModel(), QuantizationOptions(activations: .u8, symmetricActivations: true))
        }
    }
}
