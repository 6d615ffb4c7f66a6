import CTesseraOpenVINO
import Foundation
import InferenceRuntime

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Compiled models that Tessera itself keeps in ``SessionOptions/cacheDirectory``: one blob per
/// model file, device, compile properties and input shapes, written by the device plugin's export
/// and imported on the next load without reading the model at all.
///
/// Why not OpenVINO's `CACHE_DIR` alone: for `ov_core_compile_model` OpenVINO finds its blob by
/// hashing the `ov_model_t`, so a hit there still pays for reading and converting the ONNX file,
/// reshaping it and hashing the result, which is most of a cached load. Its cheap lookup,
/// `ov_core_compile_model_from_file`, keys on the file but compiles it as it is, with no way to
/// fix dynamic input sizes first. This cache keys on what decides the compiled result without
/// reading the model:
/// - the model file's identity: resolved path, size, modification time and inode, the test
///   OpenVINO's own from-file lookup makes, and the same for each external data file it names;
/// - the input shapes asked for, the compile properties, the device (route and full name, so a
///   cache folder moved to another machine misses) and the OpenVINO build.
///
/// The key's SHA-256 names the blob, so a load either finds the blob made for exactly its key or
/// none. Only for devices whose plugin reports `EXPORT_IMPORT` (the capability OpenVINO's own
/// cache needs too) and models the ONNX scan understood, since their external data files must be
/// known; everything else keeps OpenVINO's `CACHE_DIR`.
struct OVCompiledCache {
    /// Where the blob for this key lives, whether or not it exists yet.
    let blob: URL
    private let device: String
    private let properties: [(String, String)]

    /// Describes the blob a load with these arguments would use, or `nil` when this cache does not
    /// apply: the device cannot export, the file was not scanned, or a file's identity is unknown.
    /// - Parameters:
    ///   - properties: the compile properties, `CACHE_DIR` excluded; they are also what the
    ///     blob is imported with.
    ///   - version: the OpenVINO build number; a blob from another build is never offered to it.
    init?(
        directory: URL, model: URL, declared: ONNXInterfaceNames?, device: Device, properties: [(String, String)],
        shapes: [String: [Int]], version: String, core: OVCore
    ) {
        guard let declared, Self.canExport(device.route, core: core), let identity = Self.identity(of: model) else {
            return nil
        }
        var lines = [
            "Tessera OpenVINO compiled model 1", "openvino \(version)", "device \(device.route) \(device.name)",
            "model \(identity)",
        ]
        let folder = model.deletingLastPathComponent()
        for file in declared.externalDataFiles {
            guard let data = Self.identity(of: folder.appendingPathComponent(file)) else { return nil }
            lines.append("external data \(data)")
        }
        lines += properties.map { "property \($0.0)=\($0.1)" }
        lines += shapes.keys.sorted().map { name in
            "shape \(name)=\(shapes[name, default: []].map(String.init).joined(separator: "x"))"
        }
        let key = lines.joined(separator: "\n")
        blob = directory.appendingPathComponent("openvino-\(FileDigest.sha256(of: Data(key.utf8))).blob")
        self.device = device.route
        self.properties = properties
    }

    /// The compiled model in ``blob``, or `nil` when there is none or OpenVINO cannot import it.
    ///
    /// A blob OpenVINO refuses (cut short by a full disk, damaged) is deleted, so the compile
    /// that follows writes a good one in its place.
    func load(core: OVCore) -> OVCompiledModel? {
        guard let mapped = OVMappedBlob(blob), let importer = try? core.importer(device: device, properties: properties)
        else { return nil }
        var handle: OpaquePointer?
        let status = core.api.coreImportModel(
            importer.handle, mapped.base.assumingMemoryBound(to: CChar.self), mapped.count, device, &handle)
        guard status == TESSERA_OV_OK, let handle else {
            try? FileManager.default.removeItem(at: blob)
            return nil
        }
        return OVCompiledModel(takingOwnership: handle, core: importer, storage: mapped)
    }

    /// Exports `compiled` to ``blob`` for the next load.
    ///
    /// Best effort: a session whose blob cannot be written (a read-only folder, a full disk) is
    /// still a good session, so a failure only leaves the cache without this entry. The export
    /// goes to a temporary name that is renamed over ``blob``, so a concurrent load sees the old
    /// blob, the new one or none, never part of one.
    func store(_ compiled: OVCompiledModel) {
        let folder = blob.deletingLastPathComponent()
        let partial = folder.appendingPathComponent(".\(blob.lastPathComponent).\(UUID().uuidString).partial")
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try compiled.export(to: partial.path)
            guard rename(partial.path, blob.path) == 0 else { throw CocoaError(.fileWriteUnknown) }
        } catch {
            try? FileManager.default.removeItem(at: partial)
        }
    }

    // MARK: - Key parts

    /// Whether `device`'s plugin can export and import compiled models.
    private static func canExport(_ device: String, core: OVCore) -> Bool {
        // A list such as "FP32 INT8 BIN EXPORT_IMPORT" (the C API prints a vector space-separated).
        core.property("OPTIMIZATION_CAPABILITIES", device: device)?
            .split(whereSeparator: { $0 == " " || $0 == "," }).contains("EXPORT_IMPORT") ?? false
    }

    /// The resolved path, size, modification time (to the nanosecond the file system keeps) and
    /// inode of a file; `nil` when it cannot be read, which leaves the load uncached.
    static func identity(of url: URL) -> String? {
        // Resolved, so a link pointed at another model names that model; attributes of a link
        // would be the link's own.
        let path = url.standardizedFileURL.resolvingSymlinksInPath().path
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
            attributes[.type] as? FileAttributeType == .typeRegular,
            let size = (attributes[.size] as? NSNumber)?.uint64Value,
            let modified = attributes[.modificationDate] as? Date
        else { return nil }
        let inode = (attributes[.systemFileNumber] as? NSNumber)?.uint64Value ?? 0
        let volume = (attributes[.systemNumber] as? NSNumber)?.uint64Value ?? 0
        // The bit pattern keeps every digit of the time; a decimal rendering could round two
        // modifications within a microsecond to the same text.
        let time = String(modified.timeIntervalSince1970.bitPattern, radix: 16)
        return "\(path) size \(size) modified \(time) inode \(volume):\(inode)"
    }
}

/// A blob file mapped read-only for as long as the model imported from it lives.
///
/// OpenVINO's CPU plugin does not copy an imported model's weights: the compiled model points
/// into the buffer `ov_core_import_model` was given, so that buffer must outlive it (releasing it
/// early crashes the first inference). A mapping keeps those pages in the page cache rather than
/// on the heap. The cache only ever replaces a blob by renaming a new file over it, which leaves
/// this mapping on the old file intact.
final class OVMappedBlob: @unchecked Sendable {
    // Sendable: the mapping is read-only and never moves; unmapped only when the last owner goes.
    let base: UnsafeRawPointer
    let count: Int

    /// Maps the file at `url`; `nil` when it is missing, empty or cannot be mapped.
    init?(_ url: URL) {
        let descriptor = open(url.path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        // The mapping holds its own reference to the file.
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, info.st_size > 0 else { return nil }
        let size = Int(info.st_size)
        guard let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), address != MAP_FAILED else {
            return nil
        }
        base = UnsafeRawPointer(address)
        count = size
    }

    deinit { munmap(UnsafeMutableRawPointer(mutating: base), count) }
}
