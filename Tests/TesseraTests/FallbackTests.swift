import Foundation
import Synchronization
import Tessera
import Testing
import TesseraTestSupport

@Suite("Fallback between real libraries, with injected faults")
struct FallbackTests {
    let model: URL
    let catalog = BackendCatalog.discover()
    let input: [String: Tensor]

    init() throws {
        model = try #require(try Fixtures.lightModels().first { $0.lastPathComponent == "light_squeezenet.onnx" })
        var generator = SeededGenerator(seed: 3)
        let values = (0..<(3 * 224 * 224)).map { _ in Float.random(in: 0..<1, using: &generator) }
        input = ["data_0": try Tensor(shape: [1, 3, 224, 224], scalars: values)]
    }

    private func backend(_ id: BackendID) throws -> any Backend {
        try #require(catalog.backends.first { $0.id == id }, "\(id) was not found: \(catalog.discoveries.map(\.attempts))")
    }

    /// The output the fallback pair gives when nothing fails.
    private func reference(on backend: any Backend) async throws -> [String: Tensor] {
        let device = try #require(backend.devices().first)
        return try await backend.makeSession(model: model, device: device, options: SessionOptions()).run(input)
    }

    @Test("A library that fails at the second run: the run finishes on the next pair, identical output, reported once")
    func runFailure() async throws {
        let faulty = FaultInjectingBackend(wrapping: try backend(.onnxRuntime), fault: .run(succeeding: 1))
        let healthy = try backend(.openVINO)
        let devices = faulty.devices() + healthy.devices()
        let failures = Mutex<[String]>([])
        let session = FallbackSession(
            model: model, devices: devices, backends: [faulty, healthy], options: SessionOptions(),
            onFailure: { failure in failures.withLock { $0.append(failure.device.id.rawValue) } })

        _ = try await session.run(input)
        #expect(await session.activeDevice?.backend == .onnxRuntime)
        let second = try await session.run(input)
        let third = try await session.run(input)
        #expect(await session.activeDevice?.backend == .openVINO)
        #expect(failures.withLock { $0 } == ["onnxruntime:cpu"], "the failure is reported exactly once")

        let expected = try await reference(on: healthy)
        for (name, tensor) in expected {
            #expect(second[name] == tensor, "output \(name) differs from a fault-free run on the fallback pair")
            #expect(third[name] == tensor)
        }
    }

    @Test("A library that fails at load: the first run already comes from the next pair")
    func loadFailure() async throws {
        let faulty = FaultInjectingBackend(wrapping: try backend(.openVINO), fault: .load)
        let healthy = try backend(.onnxRuntime)
        let session = FallbackSession(
            model: model, devices: faulty.devices() + healthy.devices(), backends: [faulty, healthy],
            options: SessionOptions())
        let outputs = try await session.run(input)
        #expect(await session.activeDevice?.backend == .onnxRuntime)
        #expect(await session.failures.count == 1)
        let expected = try await reference(on: healthy)
        #expect(outputs == expected)
    }

    @Test("When every pair fails, the error lists each failure")
    func exhausted() async throws {
        let faulty = FaultInjectingBackend(wrapping: try backend(.onnxRuntime), fault: .load)
        let session = FallbackSession(
            model: model, devices: faulty.devices(), backends: [faulty], options: SessionOptions())
        let error = await #expect(throws: FallbackSession.Exhausted.self) { try await session.run(input) }
        #expect(error?.description.contains("injected load failure") == true)
    }
}

