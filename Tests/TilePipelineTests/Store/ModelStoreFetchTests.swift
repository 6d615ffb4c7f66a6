import Foundation
import ModelManifest
import Testing
import TesseraTestSupport
import TilePipeline

@Suite("Model store: fetching over file:// and loopback HTTP, resuming, refusing bad files")
struct ModelStoreFetchTests {
    @Test("A file:// variant beside its manifest is copied in, verified, with progress up to the total")
    func fileFetch() async throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let store = ModelStore(root: fixture.cache)
        let model = try await store.install(manifestAt: try fixture.writeManifest())
        #expect(model.manifest.variants[0].url == fixture.served.appendingPathComponent("payload.bin").absoluteString)
        #expect(!model.isFetched(model.manifest.variants[0]))

        let progress = ProgressLog()
        let file = try await store.fetch("payload-model", variant: "any-fp32", progress: progress.record)
        #expect(file == fixture.cache.appendingPathComponent("models/payload-model/model.onnx"))
        #expect(try Data(contentsOf: file) == fixture.payload)
        #expect(try StoreFixture.sha256sum(file) == fixture.digest)
        #expect(StoreFixture.contents(of: file.deletingLastPathComponent()) == ["manifest.json", "model.onnx"])
        let last = try #require(progress.all.last)
        #expect(last == (Int64(fixture.payload.count), Int64(fixture.payload.count)))
        #expect(try store.installedModel("payload-model").isFetched(model.manifest.variants[0]))
    }

    @Test("Manifest and model over HTTP: the relative URL resolves against the manifest's URL")
    func httpFetch() async throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        try fixture.writeManifest()
        let server = try LoopbackServer(serving: fixture.served)
        defer { server.stop() }
        let store = ModelStore(root: fixture.cache)
        let model = try await store.install(manifestAt: server.url("manifest.json"))
        #expect(model.manifest.variants[0].url == server.url("payload.bin").absoluteString)
        let file = try await store.fetch("payload-model", variant: "any-fp32")
        #expect(try Data(contentsOf: file) == fixture.payload)
        #expect(server.requests == ["GET /manifest.json - 200", "GET /payload.bin - 200"])
    }

    @Test("A cut connection leaves a .part; the next fetch asks for the rest with Range and completes the file")
    func interruptedThenResumed() async throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        try fixture.writeManifest()
        let server = try LoopbackServer(serving: fixture.served, cutAfter: 100_000)
        defer { server.stop() }
        let store = ModelStore(root: fixture.cache)
        let model = try await store.install(manifestAt: server.url("manifest.json"))
        let folder = model.directory

        await #expect(throws: ModelStoreError.self) {
            try await store.fetch("payload-model", variant: "any-fp32")
        }
        #expect(StoreFixture.contents(of: folder) == ["manifest.json", "model.onnx.part"])
        let part = try Data(contentsOf: folder.appendingPathComponent("model.onnx.part"))
        #expect(part == fixture.payload.prefix(100_000))

        let progress = ProgressLog()
        let file = try await store.fetch("payload-model", variant: "any-fp32", progress: progress.record)
        #expect(try Data(contentsOf: file) == fixture.payload)
        #expect(StoreFixture.contents(of: folder) == ["manifest.json", "model.onnx"])
        #expect(server.requests.last == "GET /payload.bin bytes=100000- 206")
        #expect(progress.all.first?.0 == 100_000)
    }

    @Test("A wrong SHA-256 is refused over HTTP: the error names URL and both digests, nothing is left")
    func wrongDigest() async throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let claimed = String(repeating: "ab", count: 32)
        try fixture.writeManifest(sha256: claimed)
        let server = try LoopbackServer(serving: fixture.served)
        defer { server.stop() }
        let store = ModelStore(root: fixture.cache)
        let model = try await store.install(manifestAt: server.url("manifest.json"))
        await #expect(
            throws: ModelStoreError.digestMismatch(url: server.url("payload.bin").absoluteString, expected: claimed, actual: fixture.digest)
        ) {
            try await store.fetch("payload-model", variant: "any-fp32")
        }
        #expect(StoreFixture.contents(of: model.directory) == ["manifest.json"])
        let message = ModelStoreError.digestMismatch(url: "u", expected: claimed, actual: fixture.digest).description
        #expect(message == "u: SHA-256 mismatch: expected \(claimed), got \(fixture.digest); the download was removed")
    }

    @Test("A file shorter than the manifest says is refused with both sizes; nothing is left")
    func wrongSize() async throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let store = ModelStore(root: fixture.cache)
        let model = try await store.install(manifestAt: try fixture.writeManifest(bytes: 300_010))
        let url = fixture.served.appendingPathComponent("payload.bin").absoluteString
        await #expect(throws: ModelStoreError.sizeMismatch(url: url, expected: 300_010, actual: 300_000)) {
            try await store.fetch("payload-model", variant: "any-fp32")
        }
        #expect(StoreFixture.contents(of: model.directory) == ["manifest.json"])
    }

    @Test("A stale .part of other bytes fails the digest, is removed, and the next fetch starts clean")
    func stalePartialFile() async throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let store = ModelStore(root: fixture.cache)
        let model = try await store.install(manifestAt: try fixture.writeManifest())
        try Data(repeating: 7, count: 1000).write(to: model.directory.appendingPathComponent("model.onnx.part"))
        await #expect(throws: ModelStoreError.self) {
            try await store.fetch("payload-model", variant: "any-fp32")
        }
        #expect(StoreFixture.contents(of: model.directory) == ["manifest.json"])
        let file = try await store.fetch("payload-model", variant: "any-fp32")
        #expect(try Data(contentsOf: file) == fixture.payload)
    }

    @Test("A server error and an unknown variant are errors that name them")
    func failures() async throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let server = try LoopbackServer(serving: fixture.served)
        defer { server.stop() }
        let store = ModelStore(root: fixture.cache)
        try fixture.writeManifest(url: server.url("missing.bin").absoluteString)
        _ = try await store.install(manifestAt: fixture.served.appendingPathComponent("manifest.json"))
        await #expect(throws: ModelStoreError.httpStatus(url: server.url("missing.bin").absoluteString, status: 404)) {
            try await store.fetch("payload-model", variant: "any-fp32")
        }
        await #expect(throws: ModelStoreError.noSuchVariant(id: "payload-model", variant: "openvino-fp16", available: ["any-fp32"])) {
            try await store.fetch("payload-model", variant: "openvino-fp16")
        }
        await #expect(throws: ModelStoreError.httpStatus(url: server.url("nope.json").absoluteString, status: 404)) {
            try await store.install(manifestAt: server.url("nope.json"))
        }
    }
}
