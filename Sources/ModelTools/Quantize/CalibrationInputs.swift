import Foundation
import ImageIO
public import ModelManifest
public import ONNXModel
import TensorCore

/// How an image becomes a calibration input: the model's own pre-processing (its channel count
/// and value range) applied to crops of a modest size, so calibration is quick on any photo.
public struct CalibrationPreprocessing: Sendable, Hashable {
    /// Crop side for models whose input size is free: large enough for realistic activations,
    /// small enough that calibration takes seconds.
    public static let defaultSide = 64

    /// Colour planes the model takes: 3 (RGB) or 1 (luma).
    public var channels: Int
    /// The input values of black and white.
    public var lower: Float
    public var upper: Float
    /// Side of the square crops (and of random inputs) where the model's input size is free.
    public var side: Int

    public init(channels: Int = 3, lower: Float = 0, upper: Float = 1, side: Int = defaultSide) {
        self.channels = channels
        self.lower = lower
        self.upper = upper
        self.side = side
    }

    /// The pre-processing `model` expects: channels from its input shape; the value range from
    /// `manifest` (the JSON `tessera import` writes beside a model) when given, else [0, 1].
    public init(model: Model, manifest: ModelManifest?) {
        let dims = model.graph.runtimeInputs.first?.type?.tensorType?.dims ?? []
        self.init(
            channels: dims.count == 4 ? dims[1].value ?? 3 : 3,
            lower: Float(manifest?.input.range.lower ?? 0), upper: Float(manifest?.input.range.upper ?? 1))
    }

    /// Values in [0, 1] (image samples, uniform noise) moved into the model's input range.
    func inputValues(_ unit: [Float]) -> [Float] {
        let span = upper - lower
        return unit.map { $0 * span + lower }
    }
}

/// The feeds of every calibration run.
enum CalibrationInputs {
    static func feeds(
        _ source: CalibrationSource, interface: [ValueInfo], preprocessing: CalibrationPreprocessing
    ) throws(QuantizeError) -> [[String: Tensor]] {
        try groups(source, interface: interface, preprocessing: preprocessing).flatMap(\.feeds)
    }

    /// The feeds grouped by where they came from: one group per image (its crops) or per random
    /// input, named by the file or `random:SEED`.
    static func groups(
        _ source: CalibrationSource, interface: [ValueInfo], preprocessing: CalibrationPreprocessing
    ) throws(QuantizeError) -> [(name: String, feeds: [[String: Tensor]])] {
        switch source {
        case .random(let count):
            return try (0..<count).map { seed throws(QuantizeError) in
                ("random:\(seed)", [try random(interface, preprocessing, seed)])
            }
        case .images(let folder):
            let files = imageFiles(in: folder)
            guard !files.isEmpty else { throw .noCalibrationData(folder.path) }
            return try images(files, interface: interface, preprocessing: preprocessing)
        case .imageFiles(let files):
            guard !files.isEmpty else { throw .noCalibrationData(source.description) }
            return try images(files, interface: interface, preprocessing: preprocessing)
        }
    }

    /// The PNG, JPEG, TIFF and WebP files in `folder`, sorted by name.
    static func imageFiles(in folder: URL) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.sorted().filter { ImageFormat(pathExtension: ($0 as NSString).pathExtension) != nil }
            .map { folder.appendingPathComponent($0) }
    }

    /// The model's shape with dynamic dims filled: batch 1, anything else the crop side.
    private static func shape(of input: ValueInfo, side: Int) -> [Int] {
        (input.type?.tensorType?.dims ?? []).enumerated().map { index, dim in dim.value ?? (index == 0 ? 1 : side) }
    }

    private static func random(
        _ interface: [ValueInfo], _ preprocessing: CalibrationPreprocessing, _ seed: Int
    ) throws(QuantizeError) -> [String: Tensor] {
        var feeds: [String: Tensor] = [:]
        for input in interface {
            let type = input.type?.tensorType?.elementType ?? .float32
            let shape = shape(of: input, side: preprocessing.side)
            do {
                var tensor = try Tensor.random(type, shape: shape, seed: UInt64(seed))
                if type == .float32 {
                    tensor = try Tensor(shape: shape, scalars: preprocessing.inputValues(tensor.scalars(as: Float.self)))
                }
                feeds[input.name] = tensor
            } catch {
                throw .noCalibrationData("random:\(seed + 1) (input '\(input.name)': \(error))")
            }
        }
        return feeds
    }

    private static func images(
        _ files: [URL], interface: [ValueInfo], preprocessing: CalibrationPreprocessing
    ) throws(QuantizeError) -> [(name: String, feeds: [[String: Tensor]])] {
        guard interface.count == 1, let input = interface.first else {
            throw .imagesNeedImageInput(reason: "it has \(interface.count) inputs")
        }
        let dims = shape(of: input, side: preprocessing.side)
        guard dims.count == 4, input.type?.tensorType?.elementType == .float32 else {
            throw .imagesNeedImageInput(reason: "input '\(input.name)' is \(input.type?.description ?? "untyped")")
        }
        var groups: [(name: String, feeds: [[String: Tensor]])] = []
        for url in files {
            var feeds: [[String: Tensor]] = []
            let image: Image
            do { image = try ImageReader.read(url) } catch { throw .unreadableImage(path: url.path, reason: "\(error)") }
            for (x, y) in cropOrigins(image: image, width: dims[3], height: dims[2]) {
                let values = preprocessing.inputValues(
                    image.modelPlanes(count: dims[1], x: x, y: y, width: dims[3], height: dims[2]))
                let batch = (0..<dims[0]).flatMap { _ in values }
                do { feeds.append([input.name: try Tensor(shape: dims, scalars: batch)]) } catch {
                    throw .unreadableImage(path: url.path, reason: "\(error)")
                }
            }
            groups.append((url.lastPathComponent, feeds))
        }
        return groups
    }

    /// Crops centred on the four quarters of the image, kept inside it where it is large enough.
    private static func cropOrigins(image: Image, width: Int, height: Int) -> [(Int, Int)] {
        var origins: [(Int, Int)] = []
        for row in 0..<2 {
            for column in 0..<2 {
                let x = image.width * (2 * column + 1) / 4 - width / 2
                let y = image.height * (2 * row + 1) / 4 - height / 2
                origins.append((min(max(x, 0), max(image.width - width, 0)), min(max(y, 0), max(image.height - height, 0))))
            }
        }
        return origins
    }
}
