public import Foundation
public import ModelManifest
import ONNXModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension ModelStore {
    /// Adds a model file made on this machine (by `tessera quantize` or `optimize`, say) to an
    /// installed model as one more variant, so that fast mode can measure and judge it.
    ///
    /// The file is copied into the model's folder as `<variant name>.onnx` and the stored manifest
    /// gains a variant with the copy's SHA-256 and size, its URL pointing at the copy. The file
    /// must be an ONNX model with the manifest's input and output names. The copy is renamed into
    /// place before the manifest names it, and the manifest is replaced atomically, so a failure
    /// at any step leaves the model as it was. Installing the model's manifest again drops the
    /// added variant (the new manifest does not vouch for it).
    /// - Parameters:
    ///   - file: the `.onnx` file to add.
    ///   - id: an installed model.
    ///   - library: the library the file is made for; `nil` for any.
    ///   - summary: the file's operators, for capability checks before it is loaded.
    ///   - replacing: replace a variant of the same name (its file is removed) instead of refusing.
    /// - Returns: the variant as the stored manifest now lists it.
    /// - Throws: ``ModelStoreError``: no such model, a variant of that name already there, a file
    ///   that is not a model with the manifest's interface, or a store that cannot be written.
    @discardableResult
    public func addVariant(
        file: URL, to id: String, library: ModelManifest.Library?, precision: ModelManifest.Precision,
        summary: ModelManifest.Summary? = nil, replacing: Bool = false
    ) throws(ModelStoreError) -> ModelManifest.Variant {
        let model = try installedModel(id)
        let data: Data
        do { data = try Data(contentsOf: file) } catch { throw .unreadable(path: file.path, reason: error.localizedDescription) }
        try Self.checkInterface(of: data, file: file, against: model.manifest)
        let name = ModelManifest.Variant.name(library: library, precision: precision)
        let previous = model.manifest.variant(named: name)
        if previous != nil, !replacing { throw .variantExists(id: id, variant: name) }
        let destination = model.directory.appendingPathComponent(name + ".onnx")
        let variant = ModelManifest.Variant(
            describing: data, file: destination.lastPathComponent, url: destination.absoluteString, library: library,
            precision: precision, summary: summary)
        var manifest = model.manifest
        manifest.variants.removeAll { $0.name == name }
        manifest.variants.append(variant)
        do { try manifest.validate(source: model.manifestURL.path) } catch { throw .manifest(error) }
        let encoded: Data
        do { encoded = try manifest.jsonData() } catch { throw .unwritable(path: model.manifestURL.path, reason: "\(error)") }
        let staging = destination.appendingPathExtension(String(Transfer.partialSuffix.dropFirst()))
        do { try data.write(to: staging) } catch { throw .unwritable(path: staging.path, reason: error.localizedDescription) }
        guard rename(staging.path, destination.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: staging)
            throw .unwritable(path: destination.path, reason: reason)
        }
        do { try encoded.write(to: model.manifestURL, options: .atomic) } catch {
            try? FileManager.default.removeItem(at: destination)
            throw .unwritable(path: model.manifestURL.path, reason: error.localizedDescription)
        }
        if let previous, previous.file != variant.file { try? FileManager.default.removeItem(at: model.fileURL(for: previous)) }
        return variant
    }

    /// Refuses a file that is not an ONNX model taking the manifest's input and giving its output:
    /// the upscaler feeds and reads every variant by those names.
    private static func checkInterface(of data: Data, file: URL, against manifest: ModelManifest) throws(ModelStoreError) {
        let model: Model
        do { model = try Model(serializedBytes: data, baseDirectory: file.deletingLastPathComponent()) } catch {
            throw .unsuitableModel(path: file.path, reason: "not a readable ONNX model: \(error)")
        }
        let external = model.graph.initializers.contains { tensor in
            if case .external = tensor.encoding { true } else { false }
        }
        // Only the one file is copied into the store.
        guard !external else {
            throw .unsuitableModel(path: file.path, reason: "its weights are in external data files; save it with the weights inline")
        }
        let inputs = model.graph.runtimeInputs.map(\.name)
        let outputs = model.graph.outputs.map(\.name)
        guard inputs.contains(manifest.input.name), outputs.contains(manifest.output.name) else {
            throw .unsuitableModel(
                path: file.path,
                reason: "its inputs (\(inputs.joined(separator: ", "))) and outputs (\(outputs.joined(separator: ", "))) "
                    + "are not \(manifest.id)'s '\(manifest.input.name)' and '\(manifest.output.name)'")
        }
    }
}
