import Foundation
import ModelManifest
import Testing
import TesseraTestSupport
import TilePipeline

@Suite("Model store: cache root, install, list, remove, resolve")
struct ModelStoreTests {
    @Test("The cache root: TESSERA_CACHE, else XDG_CACHE_HOME/tessera, else ~/.cache/tessera")
    func defaultRoot() {
        #expect(ModelStore.defaultRoot(environment: ["TESSERA_CACHE": "/a", "XDG_CACHE_HOME": "/b"]).path == "/a")
        #expect(ModelStore.defaultRoot(environment: ["TESSERA_CACHE": "", "XDG_CACHE_HOME": "/b"]).path == "/b/tessera")
        let home = FileManager.default.homeDirectoryForCurrentUser.path
        #expect(ModelStore.defaultRoot(environment: ["XDG_CACHE_HOME": ""]).path == home + "/.cache/tessera")
    }

    @Test("Install copies the manifest in with absolute URLs; installed() lists it; remove deletes the folder")
    func installListRemove() async throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let store = ModelStore(root: fixture.cache)
        #expect(try store.installed().isEmpty)
        let source = try fixture.writeManifest()
        try fixture.writeManifest(id: "second", name: "second.json")
        _ = try await store.install(manifestAt: source)
        _ = try await store.install(manifestAt: fixture.served.appendingPathComponent("second.json"))

        let listed = try store.installed()
        #expect(listed.map(\.id) == ["payload-model", "second"])
        let stored = try Data(contentsOf: fixture.cache.appendingPathComponent("models/payload-model/manifest.json"))
        let object = try #require(try JSONSerialization.jsonObject(with: stored) as? [String: Any])
        let variants = try #require(object["variants"] as? [[String: Any]])
        #expect(variants[0]["url"] as? String == fixture.served.appendingPathComponent("payload.bin").absoluteString)
        #expect(variants[0]["sha256"] as? String == fixture.digest)

        try store.remove(id: "payload-model")
        #expect(!FileManager.default.fileExists(atPath: fixture.cache.appendingPathComponent("models/payload-model").path))
        #expect(try store.installed().map(\.id) == ["second"])
        #expect(throws: ModelStoreError.notInstalled(id: "payload-model", installed: ["second"])) {
            try store.remove(id: "payload-model")
        }
        #expect(throws: ModelStoreError.notInstalled(id: "../cache", installed: ["second"])) {
            try store.remove(id: "../cache")
        }
    }

    @Test("Reinstalling keeps a fetched file whose digest is unchanged and drops one whose digest changed")
    func reinstall() async throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let store = ModelStore(root: fixture.cache)
        let model = try await store.install(manifestAt: try fixture.writeManifest())
        let file = try await store.fetch(model.id, variant: "any-fp32")

        _ = try await store.install(manifestAt: try fixture.writeManifest())
        #expect(FileManager.default.fileExists(atPath: file.path))

        _ = try await store.install(manifestAt: try fixture.writeManifest(sha256: String(repeating: "0", count: 64)))
        #expect(!FileManager.default.fileExists(atPath: file.path))
        #expect(StoreFixture.contents(of: model.directory) == ["manifest.json"])
    }

    @Test("An invalid manifest is not installed, and the error names the file and field")
    func invalidManifest() async throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let source = fixture.served.appendingPathComponent("bad.json")
        try Data(#"{"schema": 1, "id": "bad", "task": "upscale", "scale": -2}"#.utf8).write(to: source)
        let store = ModelStore(root: fixture.cache)
        await #expect(throws: ModelStoreError.manifest(.invalid(source: source.path, field: "input", problem: "required field is missing"))) {
            try await store.install(manifestAt: source)
        }
        #expect(try store.installed().isEmpty)
    }

    @Test("resolve: an installed id, a manifest path, a bare .onnx, or an error listing what is installed")
    func resolve() async throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let store = ModelStore(root: fixture.cache)
        let source = try fixture.writeManifest()
        let installed = try await store.install(manifestAt: source)

        let byID = try store.resolve("payload-model")
        #expect(byID.origin == .installed(installed))
        #expect(byID.localFile(for: byID.manifest.variants[0]) == nil)
        let fetched = try await store.fetch("payload-model", variant: "any-fp32")
        #expect(byID.localFile(for: byID.manifest.variants[0]) == fetched)

        let byPath = try store.resolve(source.path)
        #expect(byPath.origin == .manifestFile(source))
        #expect(byPath.localFile(for: byPath.manifest.variants[0])?.path == fixture.served.appendingPathComponent("payload.bin").path)

        #expect(throws: ModelStoreError.notFound(name: "nope", installed: ["payload-model"])) { try store.resolve("nope") }
    }

    @Test("A bare .onnx gets a derived manifest: scale from the graph (ONNX Runtime as the oracle), its digest, tiling defaults")
    func bareModel() throws {
        let model = Fixtures.repositoryRoot.appendingPathComponent("fixtures/srvgg-x4.onnx")
        try #require(FileManager.default.fileExists(atPath: model.path), "fixtures/srvgg-x4.onnx: run Scripts/setup.sh")
        let oracle = try runProcess(try Fixtures.python(), ["-c", Self.scaleOracle, model.path])
        try #require(oracle.status == 0, "\(oracle.stderr)")
        let expectedScale = try #require(Int(oracle.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))

        let resolved = try ModelStore(root: URL(fileURLWithPath: "/nonexistent")).resolve(model.path)
        #expect(resolved.origin == .modelFile(model))
        let manifest = resolved.manifest
        #expect(manifest.id == "srvgg-x4")
        #expect(manifest.scale == expectedScale)
        #expect(manifest.input.name == "input")
        #expect(manifest.output.name == "output")
        #expect(manifest.tiling == ModelManifest.Tiling())
        let variant = try #require(manifest.variants.first)
        #expect(manifest.variants.count == 1)
        #expect(variant.library == nil)
        #expect(variant.precision == .fp32)
        #expect(variant.sha256 == (try StoreFixture.sha256sum(model)))
        #expect(variant.bytes == (try FileManager.default.attributesOfItem(atPath: model.path)[.size] as? Int))
        #expect(resolved.localFile(for: variant) == model)
    }

    @Test("A bare .onnx that is not an RGB image model is refused, naming the file and the tensor")
    func unsuitableModel() throws {
        let model = try #require(try Fixtures.lightModels().first { $0.lastPathComponent == "light_resnet50.onnx" })
        do {
            _ = try ModelStore.defaultManifest(forModelAt: model)
            Issue.record("a classifier was accepted as an image model")
        } catch {
            #expect(error.description.hasPrefix(model.path + ": '"), "\(error)")
            #expect(error.description.hasSuffix("not an RGB image [N, 3, H, W]"), "\(error)")
        }
    }

    /// Prints output height ÷ input height of a 1×3×16×16 run with ONNX Runtime.
    static let scaleOracle = """
        import sys, numpy as np, onnxruntime as ort
        session = ort.InferenceSession(sys.argv[1], providers=["CPUExecutionProvider"])
        name = session.get_inputs()[0].name
        out = session.run(None, {name: np.zeros((1, 3, 16, 16), np.float32)})[0]
        assert out.shape[2] == out.shape[3] and out.shape[2] % 16 == 0
        print(out.shape[2] // 16)
        """
}
