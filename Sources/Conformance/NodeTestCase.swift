public import Foundation

/// One case of ONNX's backend test suite: a model and one or more data sets of inputs and
/// expected outputs (`test_data_set_N/input_K.pb`, `output_K.pb`).
public struct NodeTestCase: Sendable, Hashable {
    /// The folder name, e.g. `test_conv_with_strides_padding`.
    public var name: String
    public var directory: URL

    public var model: URL { directory.appendingPathComponent("model.onnx") }

    /// The data set folders, sorted.
    public var dataSets: [URL] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return entries.filter { $0.hasPrefix("test_data_set_") }.sorted().map { directory.appendingPathComponent($0) }
    }

    public init(name: String, directory: URL) {
        self.name = name
        self.directory = directory
    }
}

/// The node cases of an ONNX test-data tree (Debian's `libonnx-testdata`: `data/node/*`).
public enum ConformanceSuite {
    /// Debian's install location.
    public static let debianDataDirectory = URL(fileURLWithPath: "/usr/share/libonnx-testdata/data")

    /// Every `node/*` case under `root`, sorted by name.
    public static func nodeCases(in root: URL = debianDataDirectory) throws -> [NodeTestCase] {
        let node = root.appendingPathComponent("node")
        return try FileManager.default.contentsOfDirectory(atPath: node.path).sorted().compactMap { name in
            let directory = node.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: directory.appendingPathComponent("model.onnx").path) else {
                return nil
            }
            return NodeTestCase(name: name, directory: directory)
        }
    }

    /// Cases whose expected outputs are random draws (Bernoulli, training-mode Dropout): no
    /// library can reproduce them, so they are counted apart from failures.
    public static let randomOutputCases: Set<String> = [
        "test_bernoulli", "test_bernoulli_double", "test_bernoulli_double_expanded", "test_bernoulli_expanded",
        "test_bernoulli_seed", "test_bernoulli_seed_expanded", "test_training_dropout", "test_training_dropout_default",
        "test_training_dropout_default_mask", "test_training_dropout_mask",
    ]
}
