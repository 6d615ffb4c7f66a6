import Foundation
import InferenceRuntime
import ONNXModel
import ONNXRuntimeBackend
import TensorCore
import Testing
import TensorCore
import TesseraTestSupport

/// The library found the way `tessera` finds it, once for the whole target. The environment is
/// empty so that a variable set on the developer's machine cannot change what is tested.
let discovered = ONNXRuntimeBackend.discover(environment: [:])

/// A fixture the tests need is absent; names the set-up step.
struct MissingFixture: Error, CustomStringConvertible {
    var what: String
    var description: String { "\(what): run Scripts/setup.sh first" }
}

/// The discovered backend, or a failure that lists where the search looked.
func loadedBackend() throws -> ONNXRuntimeBackend {
    guard let backend = discovered.backend as? ONNXRuntimeBackend else {
        throw MissingFixture(
            what: "ONNX Runtime not found (\(discovered.attempts.map(\.description).joined(separator: "; ")))")
    }
    return backend
}

/// The CPU device of the discovered backend.
func cpuDevice(_ backend: ONNXRuntimeBackend) throws -> Device {
    try #require(backend.devices().first { $0.route == "CPUExecutionProvider" })
}

/// A node case of Debian's libonnx-testdata: `node/<name>/model.onnx` and `test_data_set_0`.
func nodeCase(_ name: String) throws -> URL {
    try Fixtures.onnxTestDataDirectory().appendingPathComponent("node").appendingPathComponent(name)
}

/// Uniform random values in [0, 1) for a float input, small integers for integer inputs;
/// dynamic dimensions become 1.
func randomTensor(for description: TensorDescription, generator: inout SeededGenerator) throws -> Tensor {
    let shape = description.dims.map { $0 ?? 1 }
    let count = try Tensor.elementCount(of: shape)
    switch description.dataType {
    case .float32:
        return try Tensor(shape: shape, scalars: (0..<count).map { _ in Float.random(in: 0..<1, using: &generator) })
    case .int64:
        return try Tensor(shape: shape, scalars: (0..<count).map { _ in Int64.random(in: 0..<4, using: &generator) })
    default:
        throw MissingFixture(what: "no random generator for \(description.dataType) input '\(description.name)'")
    }
}

/// Reads a serialized TensorProto (`input_0.pb`, `output_0.pb`).
func readTensor(_ url: URL) throws -> (name: String, tensor: Tensor) {
    let stored = try StoredTensor(serializedBytes: Data(contentsOf: url))
    return (stored.name, stored.tensor)
}

/// Writes `tensor` as a serialized TensorProto named `name`.
func writeTensor(_ tensor: Tensor, name: String, to url: URL) throws {
    try StoredTensor(name: name, tensor: tensor).serializedBytes().write(to: url)
}

/// Every element as a Double, for comparisons across numeric types.
func doubles(_ tensor: Tensor) throws -> [Double] {
    switch tensor.dataType {
    case .float32: try tensor.scalars(as: Float.self).map(Double.init)
    case .float64: try tensor.scalars(as: Double.self)
    case .float16: try tensor.scalars(as: Float16.self).map(Double.init)
    case .int64: try tensor.scalars(as: Int64.self).map(Double.init)
    case .int32: try tensor.scalars(as: Int32.self).map(Double.init)
    case .int8: try tensor.scalars(as: Int8.self).map(Double.init)
    case .uint8: try tensor.scalars(as: UInt8.self).map(Double.init)
    case .bool: try tensor.scalars(as: Bool.self).map { $0 ? 1 : 0 }
    default: throw MissingFixture(what: "no numeric view of \(tensor.dataType)")
    }
}

/// Expects equal types and shapes and |actual − expected| ≤ atol + rtol·|expected| everywhere
/// (NaN matches NaN); strings must be equal.
func expectClose(
    _ actual: Tensor, _ expected: Tensor, rtol: Double, atol: Double, _ context: String,
    sourceLocation: SourceLocation = #_sourceLocation
) throws {
    #expect(actual.dataType == expected.dataType, "\(context): type", sourceLocation: sourceLocation)
    #expect(actual.shape == expected.shape, "\(context): shape", sourceLocation: sourceLocation)
    guard actual.dataType == expected.dataType, actual.shape == expected.shape else { return }
    if actual.dataType == .string {
        #expect(actual.strings == expected.strings, "\(context): strings", sourceLocation: sourceLocation)
        return
    }
    let (a, b) = (try doubles(actual), try doubles(expected))
    var worst: (index: Int, error: Double)?
    for index in a.indices where a[index] != b[index] && !(a[index].isNaN && b[index].isNaN) {
        let error = abs(a[index] - b[index])
        if !(error <= atol + rtol * abs(b[index])), error > (worst?.error ?? -1) || error.isNaN { worst = (index, error) }
    }
    if let worst {
        Issue.record(
            "\(context): element \(worst.index) is \(a[worst.index]), expected \(b[worst.index])",
            sourceLocation: sourceLocation)
    }
}

/// A temporary folder, removed when the value goes out of scope.
struct TemporaryFolder: ~Copyable {
    let url: URL
    init(_ label: String) throws { url = try Fixtures.temporaryDirectory(label) }
    deinit { try? FileManager.default.removeItem(at: url) }
}
