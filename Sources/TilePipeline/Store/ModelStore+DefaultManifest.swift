public import Foundation
import InferenceRuntime
public import ModelManifest
import ONNXModel
import TensorCore

extension ModelStore {
    /// The manifest a bare `.onnx` file stands for: its one input and one output as RGB NCHW
    /// in [0, 1], the scale shape inference proves (1 when it cannot), default tiling, and one
    /// variant for any library pointing at the file itself.
    ///
    /// The variant has no `summary`: the file is at hand for capability checks.
    /// - Throws: ``ModelStoreError/unsuitableModel(path:reason:)`` for a model that is not one
    ///   RGB image tensor in and one out (float32 or float16, `[N, 3, H, W]`), or does not load.
    /// - Parameter digests: where the file's SHA-256 is remembered between runs
    ///   (``FileDigest/sha256(of:rememberedIn:)``); `nil` hashes it every time.
    public static func defaultManifest(forModelAt url: URL, digests: URL? = nil) throws(ModelStoreError) -> ModelManifest {
        let model: Model
        do { model = try Model(contentsOf: url) } catch { throw .unsuitableModel(path: url.path, reason: "\(error.error)") }
        let inputs = model.graph.runtimeInputs
        let outputs = model.graph.outputs
        guard inputs.count == 1, outputs.count == 1 else {
            throw .unsuitableModel(
                path: url.path,
                reason: "a model without a manifest needs one input and one output, found \(inputs.count) and \(outputs.count)")
        }
        let input = try endpoint(inputs[0], path: url.path)
        let output = try endpoint(outputs[0], path: url.path)
        let digest: String
        do { digest = try digests.map { try FileDigest.sha256(of: url, rememberedIn: $0) } ?? FileDigest.sha256(of: url) } catch {
            throw .unreadable(path: url.path, reason: error.localizedDescription)
        }
        let statistics = ModelStatistics(model)
        let halves = statistics.parametersByType[.float16] ?? 0
        let variant = ModelManifest.Variant(
            precision: halves > (statistics.parametersByType[.float32] ?? 0) ? .fp16 : .fp32,
            file: ModelManifest.sanitizedName(url.lastPathComponent) ?? "model.onnx", url: url.absoluteURL.absoluteString,
            sha256: digest, bytes: Int(size(of: url)))
        let manifest = ModelManifest(
            id: ModelManifest.sanitizedName(url.deletingPathExtension().lastPathComponent) ?? "model", scale: scale(of: model),
            input: input, output: output, variants: [variant])
        do { try manifest.validate(source: url.path) } catch { throw .manifest(error) }
        return manifest
    }

    /// An image endpoint for a graph input or output: float32 or float16, `[N, 3, H, W]` (any
    /// dimension may be symbolic or unknown, but not the rank or a known channel count).
    private static func endpoint(_ value: ValueInfo, path: String) throws(ModelStoreError) -> ModelManifest.Endpoint {
        let dims = value.type?.tensorType?.dims
        if let dims, dims.count != 4 || (dims[1].value.map { $0 != 3 } ?? false) {
            throw .unsuitableModel(
                path: path, reason: "'\(value.name)' has shape [\(dims.map { "\($0)" }.joined(separator: ", "))], not an RGB image [N, 3, H, W]")
        }
        let type: ModelManifest.ElementType
        switch value.type?.tensorType?.elementType {
        case .float32?: type = .float32
        case .float16?: type = .float16
        case let other:
            throw .unsuitableModel(
                path: path, reason: "'\(value.name)' is \(other.map { "\($0)" } ?? "of unknown type"), not a float32 or float16 image")
        }
        return ModelManifest.Endpoint(name: value.name, type: type)
    }

    /// Output size ÷ input size when shape inference shows the same whole factor on height and
    /// width (`64 → 256`, or `H → 4*H`); 1 otherwise.
    static func scale(of model: Model) -> Int {
        guard let input = model.graph.runtimeInputs.first, let output = model.graph.outputs.first,
            let inputDims = input.type?.tensorType?.dims, inputDims.count == 4
        else { return 1 }
        let inferred = (try? model.inferTypes())?.values[output.name] ?? output.type
        guard let outputDims = inferred?.tensorType?.dims, outputDims.count == 4 else { return 1 }
        let factors = [2, 3].map { factor(from: inputDims[$0], to: outputDims[$0]) }
        guard let height = factors[0], height == factors[1] else { return 1 }
        return height
    }

    /// `k` when `output` is `k × input`, for concrete sizes or one symbolic expression.
    private static func factor(from input: Dim, to output: Dim) -> Int? {
        if let a = input.value, let b = output.value { return a > 0 && b % a == 0 && b >= a ? b / a : nil }
        guard !input.isUnknown, !output.isUnknown, input.value == nil else { return nil }
        return (1...16).first { (try? input.multiplied(by: $0)) == output }
    }
}
