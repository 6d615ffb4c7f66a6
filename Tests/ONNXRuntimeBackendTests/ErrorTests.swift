import Foundation
import InferenceRuntime
import ONNXRuntimeBackend
import TensorCore
import Testing
import TensorCore
import TesseraTestSupport

/// The BackendError a call throws, or nil (recorded as an issue) when it throws nothing or something else.
func backendError(_ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) -> BackendError? {
    do {
        try body()
        Issue.record("expected a BackendError, nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as BackendError {
        return error
    } catch {
        Issue.record("expected a BackendError, got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

/// The async form of ``backendError(_:sourceLocation:)``.
func backendError(_ body: () async throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) async
    -> BackendError?
{
    do {
        try await body()
        Issue.record("expected a BackendError, nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as BackendError {
        return error
    } catch {
        Issue.record("expected a BackendError, got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

@Suite("Bad inputs, bad models and bad devices give BackendErrors of the right kind")
struct ErrorTests {
    /// `test_relu`: one float input `x` of shape [3, 4, 5].
    func reluSession() async throws -> any Session {
        let backend = try loadedBackend()
        return try await backend.makeSession(
            model: try nodeCase("test_relu").appendingPathComponent("model.onnx"), device: try cpuDevice(backend),
            options: SessionOptions())
    }

    func floats(_ shape: [Int]) throws -> Tensor {
        let count = shape.reduce(1, *)
        return try Tensor(shape: shape, scalars: (0..<count).map { Float($0 % 17) / 8 - 1 })
    }

    @Test("An unknown input name is named in the error")
    func unknownName() async throws {
        let session = try await reluSession()
        let error = backendError { _ = try session.run(["y": try floats([3, 4, 5])]) }
        #expect(error?.kind == .invalidInput)
        #expect(error?.message.contains("'y'") == true)
        #expect(error?.message.contains("'x'") == true, "the message lists the real inputs")
    }

    @Test("A missing input is named in the error")
    func missingInput() async throws {
        let session = try await reluSession()
        let error = backendError { _ = try session.run([:]) }
        #expect(error?.kind == .invalidInput)
        #expect(error?.message.contains("input 'x' is missing") == true, "\(String(describing: error))")
    }

    @Test("Wrong shape and wrong rank are rejected before ORT sees them")
    func wrongShape() async throws {
        let session = try await reluSession()
        let shape = backendError { _ = try session.run(["x": try floats([3, 4, 6])]) }
        #expect(shape?.kind == .invalidInput)
        #expect(shape?.message.contains("axis 2 must be 5") == true, "\(String(describing: shape))")
        let rank = backendError { _ = try session.run(["x": try floats([12, 5])]) }
        #expect(rank?.kind == .invalidInput)
        #expect(rank?.message.contains("rank 2") == true)
    }

    @Test("A wrong element type is rejected, naming both types")
    func wrongType() async throws {
        let session = try await reluSession()
        let integers = try Tensor(shape: [3, 4, 5], scalars: [Int64](repeating: 1, count: 60))
        let error = backendError { _ = try session.run(["x": integers]) }
        #expect(error?.kind == .invalidInput)
        #expect(error?.message.contains("is int64, but the model takes float [3, 4, 5]") == true)
    }

    /// Documented choice: float16 given to a float32 input is widened exactly, so the result is
    /// the float32 run on the same values.
    @Test("float16 input to a float32 model is converted")
    func float16Converted() async throws {
        let session = try await reluSession()
        let values = try floats([3, 4, 5])  // multiples of 1/8: exact in float16
        let halves = try Tensor(shape: [3, 4, 5], scalars: try values.scalars(as: Float.self).map { Float16($0) })
        let fromHalves = try session.run(["x": halves])
        let fromFloats = try session.run(["x": values])
        #expect(fromHalves["y"]?.dataType == .float32)
        #expect(fromHalves == fromFloats)
    }

    @Test("A corrupt model file fails at load with ORT's code and message")
    func corruptModel() async throws {
        let folder = try TemporaryFolder("ort-corrupt-model")
        let model = folder.url.appendingPathComponent("corrupt.onnx")
        var generator = SeededGenerator(seed: 11)
        try Data((0..<2048).map { _ in UInt8.random(in: 0...255, using: &generator) }).write(to: model)
        let backend = try loadedBackend()
        let device = try cpuDevice(backend)
        let error = await backendError { _ = try await backend.makeSession(model: model, device: device, options: SessionOptions()) }
        #expect(error?.kind == .load)
        #expect(error?.call == "CreateSession")
        #expect(error?.code != nil)
        #expect(error?.message.isEmpty == false)
        #expect(error?.description.hasPrefix("onnxruntime: CreateSession failed (code ") == true)

        let missing = await backendError {
            _ = try await backend.makeSession(
                model: folder.url.appendingPathComponent("absent.onnx"), device: device, options: SessionOptions())
        }
        #expect(missing?.kind == .load)
    }

    @Test("A GPU provider this build lacks fails with an error, not a crash")
    func providerNotInBuild() async throws {
        let backend = try loadedBackend()
        let cuda = Device(
            id: DeviceID("onnxruntime:cuda:0"), kind: .gpu, vendor: "NVIDIA", name: "test", memoryBytes: nil,
            backend: .onnxRuntime, route: "CUDAExecutionProvider", specificity: 30)
        let model = try nodeCase("test_relu").appendingPathComponent("model.onnx")
        let error = await backendError { _ = try await backend.makeSession(model: model, device: cuda, options: SessionOptions()) }
        #expect(error?.kind == .unsupported)
        #expect(error?.call.contains("CUDA") == true)

        let foreign = Device(
            id: DeviceID("openvino:CPU"), kind: .cpu, vendor: "", name: "cpu", memoryBytes: nil, backend: .openVINO,
            route: "CPU", specificity: 20)
        let wrongBackend = await backendError {
            _ = try await backend.makeSession(model: model, device: foreign, options: SessionOptions())
        }
        #expect(wrongBackend?.kind == .unsupported)
    }
}
