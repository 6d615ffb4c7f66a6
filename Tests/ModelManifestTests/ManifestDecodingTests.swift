import Foundation
import ModelManifest
import Testing
import TesseraTestSupport

@Suite("Manifest schema 1: decoding, encoding and URLs")
struct ManifestDecodingTests {
    @Test("A valid manifest decodes with every field")
    func validDecodes() throws {
        let manifest = try ModelManifest.decode(try ManifestSamples.data(), source: ManifestSamples.source)
        #expect(manifest.schema == 1)
        #expect(manifest.id == "realesr-animevideov3-x4")
        #expect(manifest.task == .upscale)
        #expect(manifest.scale == 4)
        #expect(manifest.input.name == "data")
        #expect(manifest.input.layout == .nchw)
        #expect(manifest.input.channels == .rgb)
        #expect(manifest.input.range == ModelManifest.ValueRange(lower: 0, upper: 1))
        #expect(manifest.output.type == .float32)
        #expect(manifest.tiling == ModelManifest.Tiling(multipleOf: 1, overlap: 16, minTile: 32, maxTile: 1024))
        #expect(manifest.variants.count == 2)

        let any = manifest.variants[0]
        #expect(any.library == nil)
        #expect(any.name == "any-fp32")
        #expect(any.bytes == 2_490_634)
        #expect(any.requires == nil)
        let summary = try #require(any.summary)
        #expect(summary.irVersion == 8)
        #expect(summary.opsets == ["ai.onnx": 17])
        #expect(summary.operators.map(\.description) == ["ai.onnx:Conv:11", "ai.onnx:PRelu:16", "ai.onnx:DepthToSpace:13"])
        #expect(summary.operators[0] == ModelManifest.OperatorEntry(domain: "ai.onnx", type: "Conv", sinceVersion: 11))

        let openvino = manifest.variants[1]
        #expect(openvino.library == .openvino)
        #expect(openvino.precision == .fp16)
        #expect(openvino.name == "openvino-fp16")
        #expect(openvino.requires == ModelManifest.Requirements(minVersion: "2024.1", minMemoryMB: 512))
        #expect(manifest.variant(named: "openvino-fp16") == openvino)
        #expect(manifest.variant(named: "onnxruntime-fp32") == nil)
    }

    @Test("Encoding and decoding again gives the same manifest; ranges print as [0, 1]")
    func roundTrip() throws {
        let manifest = try ModelManifest.decode(try ManifestSamples.data(), source: ManifestSamples.source)
        let data = try manifest.jsonData()
        #expect(try ModelManifest.decode(data, source: ManifestSamples.source) == manifest)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"range\" : [\n      0,\n      1\n    ]"))
        #expect(text.contains("\"ai.onnx:Conv:11\""))
        // A variant for any library has no library key at all.
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let variants = try #require(object["variants"] as? [[String: Any]])
        #expect(variants[0]["library"] == nil)
        #expect(variants[1]["library"] as? String == "openvino")
    }

    @Test("Fields a later schema-1 writer adds are ignored")
    func unknownFieldsIgnored() throws {
        let data = try ManifestSamples.data { $0["license"] = "BSD-3-Clause" }
        #expect(try ModelManifest.decode(data, source: ManifestSamples.source).id == "realesr-animevideov3-x4")
    }

    struct Resolution: Sendable, CustomTestStringConvertible {
        var url: String
        var manifest: String
        var expected: String
        var testDescription: String { "\(url) against \(manifest)" }
    }

    // Expected values follow RFC 3986 section 5.2 by hand.
    static let resolutions = [
        Resolution(url: "x4.onnx", manifest: "file:///models/x4.json", expected: "file:///models/x4.onnx"),
        Resolution(url: "../shared/x4.onnx", manifest: "file:///models/a/x4.json", expected: "file:///models/shared/x4.onnx"),
        Resolution(url: "x4.onnx", manifest: "https://example.com/m/x4.json", expected: "https://example.com/m/x4.onnx"),
        Resolution(url: "/x4.onnx", manifest: "http://127.0.0.1:8000/m/x4.json", expected: "http://127.0.0.1:8000/x4.onnx"),
        Resolution(url: "https://cdn.example.com/x4.onnx", manifest: "file:///models/x4.json", expected: "https://cdn.example.com/x4.onnx"),
        Resolution(url: "file:///opt/x4.onnx", manifest: "https://example.com/m/x4.json", expected: "file:///opt/x4.onnx"),
    ]

    @Test("Variant URLs resolve against the manifest's own URL", arguments: resolutions)
    func resolution(_ item: Resolution) throws {
        let variant = ModelManifest.Variant(
            precision: .fp32, file: "x4.onnx", url: item.url, sha256: ManifestSamples.digestA, bytes: 1)
        let manifestURL = try #require(URL(string: item.manifest))
        #expect(variant.resolvedURL(relativeTo: manifestURL)?.absoluteString == item.expected)
    }

    @Test("resolvingURLs makes every variant URL absolute and changes nothing else")
    func resolvingURLs() throws {
        let manifest = try ModelManifest.decode(try ManifestSamples.data(), source: ManifestSamples.source)
        let copy = manifest.resolvingURLs(relativeTo: ManifestSamples.source)
        #expect(copy.variants.map(\.url) == ["file:///models/x4.onnx", "https://models.example.com/x4/x4-fp16.onnx"])
        var restored = copy
        restored.variants[0].url = "x4.onnx"
        #expect(restored == manifest)
    }

    @Test("A variant made from bytes carries their SHA-256 (sha256sum as the oracle) and size")
    func variantFromBytes() throws {
        let data = Data((0..<1000).map { UInt8($0 % 251) })
        let folder = try Fixtures.temporaryDirectory("manifest")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("m.onnx")
        try data.write(to: file)
        let expected = String(try runProcess(URL(fileURLWithPath: "/usr/bin/sha256sum"), [file.path]).stdout.prefix(64))

        let variant = ModelManifest.Variant(describing: data, file: "m.onnx", precision: .fp16)
        #expect(variant.sha256 == expected)
        #expect(variant.bytes == 1000)
        #expect(variant.url == "m.onnx")
        #expect(variant.library == nil)
    }
}
