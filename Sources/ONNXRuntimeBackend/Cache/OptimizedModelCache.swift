import Foundation
import InferenceRuntime

/// Where ORT's optimized graph for one (model, library, route, options) combination is kept.
///
/// The first load asks ORT to save the graph it optimized (`SetOptimizedModelFilePath`) to a
/// temporary name in the cache folder and renames it into place once the session exists, so a
/// crashed or concurrent writer never leaves a half-written file under the final name. Later loads
/// open the saved graph with ORT's graph optimization switched off: the fusions, constant folding
/// and layout changes are already in it.
///
/// Beside each saved graph, `<key>.json` records the interface the original model showed. A load
/// from the cache must show the same inputs and outputs; ORT does not always save a runnable graph
/// (for IR version 3 models it keeps graph inputs whose initializers constant folding removed), so
/// a mismatch marks the combination as not cacheable and later loads use the original model.
///
/// The key covers everything that changes the saved graph: the source file's bytes (SHA-256), the
/// library version, the execution provider and device, and the optimization level. A saved graph
/// at ORT's `all` level can contain layouts for this machine's CPU (ORT's NCHWc transform), so a
/// cache folder belongs to one machine.
struct OptimizedModelCache {
    let directory: URL
    /// `<sha256 of the model file>-<first 16 hex digits of the options' sha256>`.
    let key: String

    init(directory: URL, model: URL, descriptor: String) throws(BackendError) {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let modelDigest = try FileDigest.sha256(of: model, rememberedIn: directory)
            let optionsDigest = FileDigest.sha256(of: Data(descriptor.utf8))
            self.directory = directory
            self.key = "\(modelDigest)-\(optionsDigest.prefix(16))"
        } catch {
            throw BackendError(
                .load, backend: .onnxRuntime, call: "OptimizedModelCache",
                message: "cannot read \(model.path) or use the cache folder \(directory.path): \(error.localizedDescription)")
        }
    }

    /// What the first load saw, and whether the saved graph can stand in for the model.
    struct Record: Codable, Equatable {
        var inputs: [TensorDescription]
        var outputs: [TensorDescription]
        var cacheable: Bool
    }

    /// What a load should do with this combination.
    enum State {
        /// Nothing saved yet: load the model and save its optimized graph.
        case empty
        /// A saved graph and the interface it must show.
        case filled(Record)
        /// ORT's saved graph for this model does not run; load the model itself.
        case uncacheable
    }

    /// The saved optimized model (`.ort.onnx`: ONNX format, written by ORT).
    var file: URL { directory.appendingPathComponent("\(key).ort.onnx") }
    var recordFile: URL { directory.appendingPathComponent("\(key).json") }

    var state: State {
        guard let data = try? Data(contentsOf: recordFile), let record = try? JSONDecoder().decode(Record.self, from: data)
        else { return .empty }
        if !record.cacheable { return .uncacheable }
        return FileManager.default.fileExists(atPath: file.path) ? .filled(record) : .empty
    }

    /// Writes the record; the saved graph counts only once its record exists.
    func save(_ record: Record) {
        guard let data = try? JSONEncoder().encode(record) else { return }
        try? data.write(to: recordFile, options: .atomic)
    }

    /// A fresh name for ORT to write to during this load.
    func temporaryFile() -> URL {
        directory.appendingPathComponent("\(key).\(UUID().uuidString).partial.onnx")
    }

    /// Moves a finished temporary file into place; a failure only costs the next load the
    /// optimization work again, so it is not an error.
    func commit(_ temporary: URL) {
        let files = FileManager.default
        guard files.fileExists(atPath: temporary.path) else { return }
        if rename(temporary.path, file.path) != 0 { try? files.removeItem(at: temporary) }
    }

    /// Removes a saved graph that ORT could not load or that does not match its record.
    func discard() {
        try? FileManager.default.removeItem(at: file)
        try? FileManager.default.removeItem(at: recordFile)
    }

    /// The options that shape the saved graph, in a stable text form.
    static func descriptor(libraryVersion: String, device: Device, options: SessionOptions) -> String {
        [
            "onnxruntime=\(libraryVersion)", "api=\(ONNXRuntimeBackend.apiVersion)", "device=\(device.id.rawValue)",
            "route=\(device.route)", "optimization=\(options.graphOptimization.rawValue)",
            "precision=\(options.precision.rawValue)",
        ].joined(separator: ";")
    }
}
