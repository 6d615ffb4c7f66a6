import Foundation
import ModelManifest

private let source = URL(fileURLWithPath: "/fuzz/models/manifest.json")

/// A model's manifest is JSON a user may edit by hand: any bytes must decode to a valid manifest
/// or a `ManifestError`, and a manifest that decodes must survive its own re-encoding (the importer
/// and the store write manifests with `jsonData()` and read them back).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzManifest(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let manifest = try? ModelManifest.decode(Data(bytes: data, count: size), source: source) else { return 0 }
    let encoded: Data
    do { encoded = try manifest.jsonData() } catch { fatalError("a decoded manifest does not encode: \(error)") }
    do { _ = try ModelManifest.decode(encoded, source: source) } catch {
        fatalError("a manifest's own encoding is refused: \(error)\n\(String(decoding: encoded, as: UTF8.self))")
    }
    return 0
}
