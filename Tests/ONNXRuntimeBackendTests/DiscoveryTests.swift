import Foundation
import InferenceRuntime
import ONNXRuntimeBackend
import Testing
import TensorCore
import TesseraTestSupport

@Suite("Finding and loading libonnxruntime")
struct DiscoveryTests {
    @Test("The venv's onnxruntime wheel is found and reports 1.31.1")
    func findsVenvLibrary() throws {
        let backend = try loadedBackend()
        #expect(backend.version == "1.31.1")
        #expect(backend.libraryPath.contains(".venv/lib/python"))
        #expect(backend.libraryPath.contains("onnxruntime/capi/libonnxruntime.so"))
        #expect(backend.id == .onnxRuntime)
        let loaded = discovered.attempts.filter { if case .loaded = $0.outcome { true } else { false } }
        #expect(loaded.count == 1)
        #expect(loaded.first?.source == "venv")
        #expect(ONNXRuntimeBackend.apiVersion == 12)
    }

    @Test("The CPU is always a device, with its name and the machine's memory")
    func cpuDevice() throws {
        let backend = try loadedBackend()
        let devices = backend.devices()
        let cpu = try #require(devices.first)
        #expect(cpu.id == DeviceID("onnxruntime:cpu"))
        #expect(cpu.kind == .cpu)
        #expect(cpu.route == "CPUExecutionProvider")
        #expect(cpu.backend == .onnxRuntime)
        #expect(!cpu.name.isEmpty && cpu.name != "CPU")
        #expect((cpu.memoryBytes ?? 0) > 1 << 30)
        // The CPU wheel has no GPU provider; every other device must rank above the CPU.
        #expect(devices.dropFirst().allSatisfy { $0.specificity > cpu.specificity })
        #expect(backend.providers.contains("CPUExecutionProvider"))
    }

    @Test("A path that does not exist is reported, and the search goes on")
    func missingPath() throws {
        let path = "/nonexistent/libonnxruntime.so"
        let found = ONNXRuntimeBackend.discover(environment: ["TESSERA_ONNXRUNTIME_LIBRARY": path])
        let attempt = try #require(found.attempts.first { $0.path.contains(path) })
        #expect(attempt.source == "environment")
        guard case .rejected(let reason) = attempt.outcome else {
            Issue.record("unexpected outcome \(attempt.outcome)")
            return
        }
        #expect(reason.contains("no such file"))
        #expect(found.backend?.version == "1.31.1")  // the venv library is still found
    }

    @Test("Random bytes named libonnxruntime.so are rejected with dlopen's reason")
    func corruptFile() throws {
        let folder = try TemporaryFolder("corrupt-ort")
        let path = folder.url.appendingPathComponent("libonnxruntime.so").path
        var generator = SeededGenerator(seed: 7)
        try Data((0..<4096).map { _ in UInt8.random(in: 0...255, using: &generator) }).write(to: URL(fileURLWithPath: path))
        let found = ONNXRuntimeBackend.discover(environment: ["TESSERA_ONNXRUNTIME_LIBRARY": path])
        let attempt = try #require(found.attempts.first { $0.path == path })
        #expect(attempt.source == "environment")
        guard case .rejected(let reason) = attempt.outcome else {
            Issue.record("unexpected outcome \(attempt.outcome)")
            return
        }
        #expect(reason.hasPrefix("cannot be opened: "), "\(reason)")
        #expect(reason.lowercased().contains("elf"), "dlerror's reason: \(reason)")
        #expect(attempt.description.contains("skipped"))
    }

    @Test("A shared library that is not ONNX Runtime is rejected: no OrtGetApiBase")
    func notONNXRuntime() throws {
        let zlib = "/usr/lib/x86_64-linux-gnu/libz.so.1"
        try #require(FileManager.default.fileExists(atPath: zlib), "zlib is part of every Debian system")
        let found = ONNXRuntimeBackend.discover(environment: ["TESSERA_ONNXRUNTIME_LIBRARY": zlib])
        let attempt = try #require(found.attempts.first { $0.path == zlib })
        guard case .rejected(let reason) = attempt.outcome else {
            Issue.record("unexpected outcome \(attempt.outcome)")
            return
        }
        #expect(reason.contains("OrtGetApiBase"))
        // The search continues past the bad candidate to the venv.
        #expect(found.backend != nil)
        #expect(found.attempts.contains { if case .loaded = $0.outcome { $0.source == "venv" } else { false } })
    }

    @Test("Loading the same library twice gives two working backends")
    func loadTwice() throws {
        let first = try loadedBackend()
        let second = try ONNXRuntimeBackend.load(path: first.libraryPath)
        #expect(second.version == first.version)
        #expect(second.devices().map(\.id) == first.devices().map(\.id))
    }

    @Test("Direct loads report the error kind for each bad file")
    func directLoadErrors() throws {
        #expect(throws: BackendError.self) { try ONNXRuntimeBackend.load(path: "/nonexistent/libonnxruntime.so") }
        do {
            _ = try ONNXRuntimeBackend.load(path: "/usr/lib/x86_64-linux-gnu/libz.so.1")
            Issue.record("zlib loaded as ONNX Runtime")
        } catch {
            #expect(error.kind == .symbolMissing)
            #expect(error.description.contains("onnxruntime"))
        }
    }
}
