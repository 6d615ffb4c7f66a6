import Foundation
import FuzzSupport
import ModelTools

private let scratch = ScratchFolder("ncnn")

/// An ncnn model is two files, so one input holds both: the `.param` text up to the first NUL byte,
/// the `.bin` weights after it (the seeds are laid out so). The import reads both from disk as
/// `tessera import` does, converts every layer and infers the model's shapes, then the model is
/// validated and serialized as the writer would; any bytes must end in a model or an
/// `NCNNImportError`. (Whether every imported model validates is the importer's own check, before
/// it writes, so a refusal here is not a failure.)
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNCNN(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Data(bytes: data, count: size)
    let split = bytes.firstIndex(of: 0) ?? bytes.endIndex
    let param = scratch.write(bytes[..<split], to: "m.param")
    let weights = scratch.write(split < bytes.endIndex ? bytes[(split + 1)...] : Data(), to: "m.bin")
    guard let result = try? NCNNImporter.importModel(param: param, weights: weights) else { return 0 }
    _ = try? result.model.validate()
    _ = try? result.model.serializedBytes()
    return 0
}
