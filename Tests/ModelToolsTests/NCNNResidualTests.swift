import Foundation
import ModelTools
import Tessera
import Testing
import TesseraTestSupport

/// The residual detection and the appended nearest-neighbour input, pinned on small synthetic ncnn
/// models without any download: a ×4 network with a 2-pixel border whose small weights leave only
/// a residual, and a plain nearest ×4 upscaler.
@Suite("Import adds the nearest-neighbour input to residual networks")
struct NCNNResidualTests {
    /// Crops 2 pixels from each side (as Real-CUGAN does), then a 3×3 convolution with weights
    /// of a few hundredths and a pixel shuffle: an output near 0 on any image, like a residual.
    static let residualLayers = [
        "Crop c 1 1 data cropped -23309=2,2,2 -23310=2,-2,-2 -23311=2,-2,-1",
        "Convolution cv 1 1 cropped conv 0=48 1=3 4=1 5=1 6=1296",
        "PixelShuffle ps 1 1 conv output 0=4",
    ]
    /// An upscaler whose output is the input's level: nearest ×4.
    static let upscalerLayers = ["Interp up 1 1 data output 0=1 1=4.0 2=4.0"]

    @Test("a residual network is detected; ONNX Runtime matches ncnn plus numpy's nearest ×4 of the cropped input")
    func residualMatchesOracle() async throws {
        let folder = try Fixtures.temporaryDirectory("ncnn-residual")
        defer { try? FileManager.default.removeItem(at: folder) }
        let (param, bin) = try Self.write(Self.residualLayers, weights: 1296 + 48, in: folder)
        let onnx = folder.appendingPathComponent("m.onnx")
        let (result, manifest) = try NCNNImporter.importAndWrite(param: param, weights: bin, output: onnx)
        #expect(result.addsNearestResidual)
        #expect(manifest.scale == 4 && manifest.tiling.border == 2)
        #expect(result.outputName == "output")
        #expect(result.model.graph.nodes.suffix(3).map(\.opType) == ["Slice", "Resize", "Add"])

        var generator = SeededGenerator(seed: 5)
        let input = try Tensor(shape: [1, 3, 12, 13], scalars: (0..<(3 * 12 * 13)).map { _ in Float.random(in: 0..<1, using: &generator) })
        let inputNPY = folder.appendingPathComponent("in.npy")
        let oracleNPY = folder.appendingPathComponent("ncnn.npy")
        try input.npyData().write(to: inputNPY)
        _ = try runPython("Tests/Oracles/ncnn_run.py", [
            param.path, bin.path, inputNPY.path, oracleNPY.path, "data", "output", "--add-nearest", "4", "2",
        ])
        let expected = try Tensor(npy: Data(contentsOf: oracleNPY))
        let actual = try #require(try await NCNNTestSupport.runONNXRuntime(model: onnx, input: "data", tensor: input)["output"])
        #expect(actual.shape == [1, 3, 32, 36])
        #expect(actual.shape == expected.shape)
        let worst = zip(try actual.scalars(as: Float.self), try expected.scalars(as: Float.self)).map { abs($0 - $1) }.max() ?? .infinity
        #expect(worst <= 1e-5)

        // The written file is self-contained: every library present gives the same picture.
        for backend in BackendCatalog.discover().backends where [.openVINO, .reference].contains(backend.id) {
            let device = try #require(backend.devices().first { $0.kind == .cpu })
            let session = try await backend.makeSession(model: onnx, device: device, options: SessionOptions(precision: .accurate))
            let other = try #require(try session.run(["data": input])["output"])
            let gap = zip(try other.scalars(as: Float.self), try expected.scalars(as: Float.self)).map { abs($0 - $1) }.max() ?? .infinity
            #expect(other.shape == expected.shape && gap <= 1e-5, "\(backend.id)")
        }
    }

    @Test("an upscaler stays as imported; --residual none and nearest override the measurement")
    func overrides() throws {
        let folder = try Fixtures.temporaryDirectory("ncnn-residual")
        defer { try? FileManager.default.removeItem(at: folder) }
        let residual = try Self.write(Self.residualLayers, weights: 1296 + 48, in: folder, name: "residual")
        let upscaler = try Self.write(Self.upscalerLayers, weights: 0, in: folder, name: "upscaler")
        func imported(_ files: (URL, URL), _ mode: NCNNResidualMode) throws -> NCNNImporter.Result {
            try NCNNImporter.importModel(param: files.0, weights: files.1, options: NCNNImportOptions(residual: mode))
        }
        let plain = try imported(upscaler, .auto)
        #expect(!plain.addsNearestResidual)
        #expect(plain.model.graph.nodes.map(\.opType) == ["Resize"])
        let forced = try imported(upscaler, .nearest)
        #expect(forced.addsNearestResidual && forced.model.graph.nodes.map(\.opType) == ["Resize", "Resize", "Add"])
        #expect(forced.geometry == plain.geometry)
        let network = try imported(residual, .none)
        #expect(!network.addsNearestResidual && !network.model.graph.nodes.contains { $0.opType == "Add" })
        #expect(network.geometry == (try imported(residual, .auto)).geometry)
    }

    @Test("--residual nearest on a graph whose output is no image fails with a readable error")
    func nearestNeedsAnImage() throws {
        let folder = try Fixtures.temporaryDirectory("ncnn-residual")
        defer { try? FileManager.default.removeItem(at: folder) }
        let (param, bin) = try Self.write(["Pooling g 1 1 data output 0=1 4=1"], weights: 0, in: folder)
        let error = #expect(throws: NCNNImportError.self) {
            try NCNNImporter.importModel(param: param, weights: bin, options: NCNNImportOptions(residual: .nearest))
        }
        #expect(error?.description.contains("cannot add the input upscaled by nearest neighbour") == true)
    }

    @Test("tessera import --residual is documented, parsed and reported in --json")
    func commandLine() throws {
        let help = try TesseraBinary.run(["import", "--help"])
        #expect(help.stdout.contains("--residual <auto|nearest|none>"))
        let folder = try Fixtures.temporaryDirectory("ncnn-residual")
        defer { try? FileManager.default.removeItem(at: folder) }
        let (param, bin) = try Self.write(Self.residualLayers, weights: 1296 + 48, in: folder)
        for (mode, added) in [("auto", true), ("none", false)] {
            let onnx = folder.appendingPathComponent("\(mode).onnx")
            let run = try TesseraBinary.run(["import", param.path, bin.path, "-o", onnx.path, "--residual", mode, "--json"])
            try #require(run.status == 0, "\(run.stderr)")
            #expect(run.stdout.contains("\"nearestResidual\" : \(added)") || run.stdout.contains("\"nearestResidual\":\(added)"))
        }
        let wrong = try TesseraBinary.run(["import", param.path, bin.path, "-o", folder.appendingPathComponent("x.onnx").path, "--residual", "add"])
        #expect(wrong.status != 0)
    }

    /// Writes `layers` after `Input data` as `name.param`, and `weights` float32 values of a few
    /// hundredths (a flagged convolution weight blob first, as ncnn reads it) as `name.bin`.
    static func write(_ layers: [String], weights: Int, in folder: URL, name: String = "m") throws -> (param: URL, bin: URL) {
        let param = (["7767517", "\(layers.count + 1) 9", "Input data 0 1 data"] + layers).joined(separator: "\n") + "\n"
        var generator = SeededGenerator(seed: 7)
        var bin = Data(weights > 0 ? [0, 0, 0, 0] : [])
        for _ in 0..<weights {
            withUnsafeBytes(of: Float.random(in: -0.02..<0.02, using: &generator).bitPattern.littleEndian) { bin.append(contentsOf: $0) }
        }
        let paramURL = folder.appendingPathComponent("\(name).param")
        let binURL = folder.appendingPathComponent("\(name).bin")
        try Data(param.utf8).write(to: paramURL)
        try bin.write(to: binURL)
        return (paramURL, binURL)
    }
}
