import Foundation
import InferenceRuntime
import ONNXModel
import OpenVINOBackend
import TensorCore
import TesseraTestSupport

/// What the OpenVINO suites share: one backend loaded from the project's venv, its CPU device,
/// and readers for ONNX test-data tensors.
enum OpenVINOFixtures {
    /// The environment discovery sees in these tests: the repository's venv, named explicitly so
    /// the result does not depend on the directory `swift test` runs in.
    static var environment: [String: String] {
        ["TESSERA_VENV": Fixtures.repositoryRoot.appendingPathComponent(".venv").path]
    }

    /// Discovery is done once per test process: loading OpenVINO creates its core and plugins.
    static let discovery = OVBackend.discover(environment: environment)

    struct NotFound: Error, CustomStringConvertible {
        var attempts: [LibraryAttempt]
        var description: String {
            "OpenVINO not found (run Scripts/setup.sh): " + attempts.map(\.description).joined(separator: "; ")
        }
    }

    static func backend() throws -> OVBackend {
        guard let backend = discovery.backend as? OVBackend else { throw NotFound(attempts: discovery.attempts) }
        return backend
    }

    static func cpu() throws -> Device {
        guard let cpu = try backend().devices().first(where: { $0.kind == .cpu }) else {
            throw NotFound(attempts: discovery.attempts)
        }
        return cpu
    }

    /// Compiles `model` on the CPU with float32 precision unless told otherwise.
    static func session(_ model: URL, options: SessionOptions = SessionOptions()) async throws -> any Session {
        try await backend().makeSession(model: model, device: cpu(), options: options)
    }

    /// A serialized `TensorProto` file with its name.
    static func readTensor(_ url: URL) throws -> (name: String, tensor: Tensor) {
        let stored = try StoredTensor(serializedBytes: Data(contentsOf: url))
        return (stored.name, stored.tensor)
    }

    /// Every `<prefix>_<n>.pb` in `folder`, in order of n.
    static func readTensors(in folder: URL, prefix: String) throws -> [(name: String, tensor: Tensor)] {
        var result: [(name: String, tensor: Tensor)] = []
        while true {
            let url = folder.appendingPathComponent("\(prefix)_\(result.count).pb")
            guard FileManager.default.fileExists(atPath: url.path) else { return result }
            result.append(try readTensor(url))
        }
    }

    /// The largest magnitude in a floating-point tensor, for tolerances relative to an output's scale.
    static func largestMagnitude(_ tensor: Tensor) throws -> Double {
        try tensor.doubleValues().lazy.filter(\.isFinite).map(abs).max() ?? 0
    }

    /// A tolerance that is `relative` elementwise and, for elements near zero, relative to the
    /// largest expected magnitude: deep networks with random weights sum thousands of terms, and
    /// an element that cancels to almost nothing keeps the absolute error of its terms.
    static func scaled(_ relative: Double, to expected: Tensor) throws -> Tolerance {
        Tolerance(relative: relative, absolute: relative * max(try largestMagnitude(expected), 1e-30))
    }

    /// The folder of one case of Debian's ONNX node test data.
    static func nodeCase(_ name: String) throws -> URL {
        try Fixtures.onnxTestDataDirectory().appendingPathComponent("node/\(name)")
    }
}
