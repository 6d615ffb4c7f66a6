import Foundation
import TensorCore

/// `tessera run --input x.npy` reads the file whole and decodes it with `Tensor(npy:)`: any bytes
/// must end in a tensor or an `NPYError`, and a decoded tensor must re-encode.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNPY(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Data(bytes: data, count: size)
    guard let tensor = try? Tensor(npy: bytes) else { return 0 }
    _ = try? tensor.npyData()
    return 0
}
