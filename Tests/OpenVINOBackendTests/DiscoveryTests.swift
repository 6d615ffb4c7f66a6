import Foundation
import InferenceRuntime
import OpenVINOBackend
import TesseraTestSupport
import Testing

@Suite("OpenVINO discovery")
struct DiscoveryTests {
    /// The venv's library, with nothing else in the environment that could win first.
    @Test("finds the venv's libopenvino_c and reads its version")
    func findsVenvLibrary() throws {
        let discovery = OpenVINOFixtures.discovery
        let backend = try OpenVINOFixtures.backend()
        #expect(backend.version.hasPrefix("2026.4.1"), "version \(backend.version)")
        #expect(backend.libraryPath.contains(".venv/lib/python"))
        #expect(backend.libraryPath.contains("openvino/libs/libopenvino_c.so"))
        let loaded = discovery.attempts.filter {
            if case .loaded = $0.outcome { true } else { false }
        }
        #expect(loaded.count == 1)
        #expect(loaded.first?.source == "venv")
    }

    @Test("lists the CPU with its full name and the machine's memory")
    func listsCPU() throws {
        let cpu = try OpenVINOFixtures.cpu()
        #expect(cpu.id == DeviceID("openvino:CPU"))
        #expect(cpu.route == "CPU")
        #expect(cpu.backend == .openVINO)
        #expect(!cpu.name.isEmpty && cpu.name != "CPU", "FULL_DEVICE_NAME should be the processor's name")
        let memTotal = try String(contentsOfFile: "/proc/meminfo", encoding: .utf8)
            .split(separator: "\n").first { $0.hasPrefix("MemTotal:") }
            .flatMap { $0.split(separator: " ").dropFirst().first }.flatMap { Int64($0) }
        #expect(cpu.memoryBytes == memTotal.map { $0 * 1024 })
    }

    @Test("a missing file named by the environment variable is rejected, and the venv still wins")
    func missingPath() throws {
        var environment = OpenVINOFixtures.environment
        environment[OVBackend.environmentVariable] = "/nonexistent/libopenvino_c.so"
        let discovery = OVBackend.discover(environment: environment)
        let attempt = try #require(discovery.attempts.first { $0.source == "environment" })
        #expect(attempt.path.contains("/nonexistent/libopenvino_c.so"))
        guard case .rejected(let reason) = attempt.outcome else {
            Issue.record("expected a rejection, got \(attempt)")
            return
        }
        #expect(reason.contains("no such file"))
        #expect(discovery.library == .openVINO)
        #expect(discovery.backend is OVBackend, "the venv's library is used after the bad environment path")
    }

    @Test("a corrupt file is rejected with dlopen's reason, without crashing")
    func corruptFile() throws {
        let folder = try Fixtures.temporaryDirectory("ov-corrupt")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("libopenvino_c.so")
        try Data("this is not an ELF file".utf8).write(to: file)
        let reason = try rejection(of: file.path)
        #expect(reason.contains("cannot open"), "\(reason)")
    }

    @Test("a library that is not OpenVINO is rejected as such")
    func notOpenVINO() throws {
        let zlib = "/usr/lib/x86_64-linux-gnu/libz.so.1"
        try #require(FileManager.default.fileExists(atPath: zlib), "\(zlib) is part of the base system")
        let reason = try rejection(of: zlib)
        #expect(reason.contains("not OpenVINO"), "\(reason)")
    }

    @Test("load(path:) reports the failure kind for each bad library")
    func loadKinds() {
        #expect(throws: BackendError.self) { try OVBackend.load(path: "/nonexistent.so") }
        do {
            _ = try OVBackend.load(path: "/usr/lib/x86_64-linux-gnu/libz.so.1")
            Issue.record("libz loaded as OpenVINO")
        } catch {
            #expect(error.kind == .symbolMissing)
        }
    }

    /// Discovers with `path` as the explicit library, and returns why it was rejected.
    private func rejection(of path: String) throws -> String {
        var environment = OpenVINOFixtures.environment
        environment[OVBackend.environmentVariable] = path
        let discovery = OVBackend.discover(environment: environment)
        let attempt = try #require(discovery.attempts.first { $0.source == "environment" })
        #expect(attempt.path == path)
        guard case .rejected(let reason) = attempt.outcome else {
            Issue.record("expected \(path) to be rejected, got \(attempt)")
            return ""
        }
        #expect(discovery.backend?.libraryPath != path)
        return reason
    }
}
