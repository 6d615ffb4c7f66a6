import Foundation
import FuzzSupport
import ONNXModel

/// The model's folder: `weights.bin` and `nested/weights.bin` are there for external data to
/// reference; `secret.bin` lies beside the folder and `escape.bin` links to it, so a reference
/// that leaves the folder, by path or by link, has something to find.
private let folder: URL = {
    let scratch = ScratchFolder("onnx")
    let model = scratch.url.appendingPathComponent("model")
    let pattern = Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31) })
    do {
        try FileManager.default.createDirectory(
            at: model.appendingPathComponent("nested"), withIntermediateDirectories: true)
        try pattern.write(to: model.appendingPathComponent("weights.bin"))
        try pattern.write(to: model.appendingPathComponent("nested/weights.bin"))
        try pattern.write(to: scratch.url.appendingPathComponent("secret.bin"))
        try? FileManager.default.removeItem(at: model.appendingPathComponent("escape.bin"))
        try FileManager.default.createSymbolicLink(
            atPath: model.appendingPathComponent("escape.bin").path, withDestinationPath: "../secret.bin")
    } catch {
        fatalError("cannot lay out the model folder: \(error)")
    }
    return model.resolvingSymlinksInPath()
}()

/// Protobuf decoding and the IR built from it, then what `inspect` and `check` do with a model:
/// validation, shape inference, statistics, compute cost, and writing it back. Any bytes must end
/// in a model or an `ONNXModelError`; external data must come from inside the model's folder; and
/// what the writer produces must load again.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzONNX(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let model = try? Model(serializedBytes: Data(bytes: data, count: size), baseDirectory: folder) else { return 0 }
    for initializer in model.graph.initializers {
        guard case .external(let reference) = initializer.encoding else { continue }
        let resolved = folder.appendingPathComponent(reference.location).resolvingSymlinksInPath().path
        guard resolved.hasPrefix(folder.path + "/") else {
            fatalError("external data '\(reference.location)' was read from \(resolved), outside \(folder.path)")
        }
    }
    if (try? model.validate()) != nil, let types = try? model.inferTypes() {
        _ = ModelStatistics(model)
        _ = ComputeCost(model: model, types: types)
    }
    guard let written = try? model.serializedBytes() else { return 0 }
    do { _ = try Model(serializedBytes: written) } catch {
        fatalError("the writer's own output does not load: \(error)")
    }
    return 0
}
