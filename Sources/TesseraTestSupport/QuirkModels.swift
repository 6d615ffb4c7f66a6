public import Foundation

/// The exporters' quirk models of `Tests/Fixtures/QuirkModels` (written by its
/// `make_quirk_models.py`), shared by the loading and the end-to-end tests.
public enum QuirkModels {
    public static let directory = Fixtures.repositoryRoot.appendingPathComponent("Tests/Fixtures/QuirkModels")

    /// The quirks ONNX Runtime accepts, and so Tessera must: the models' names, without `.onnx`.
    public static let accepted = [
        "negative-dims", "missing-shapes", "empty-shapes", "empty-dim-param", "domain-import-ai-onnx",
        "domain-node-ai-onnx", "domain-both-imports", "initializer-inputs-ir3", "initializer-inputs",
        "missing-value-info", "stale-value-info", "unsorted-nodes",
    ]
}
