public import Foundation
import InferenceRuntime
import ModelManifest

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension ModelStore {
    /// Fetches one variant of an installed model into its folder and returns the file's URL.
    ///
    /// Bytes go to `<file>.part` first; when a `.part` is already there (an interrupted fetch)
    /// only the rest is requested (an HTTP `Range` request, or a seek for `file:` URLs). The
    /// finished file must have the manifest's size and SHA-256; then it is renamed into place.
    /// A file already in place is returned at once.
    /// - Parameters:
    ///   - id: an installed model.
    ///   - name: the variant's ``ModelManifest/Variant/name``, such as `any-fp32`.
    ///   - progress: bytes on disk so far and the total; called on an arbitrary thread.
    /// - Throws: ``ModelStoreError``; on a size or SHA-256 mismatch the bad file is removed
    ///   and the error names the URL with both sizes or digests.
    @discardableResult
    public func fetch(
        _ id: String, variant name: String, progress: (@Sendable (_ bytesSoFar: Int64, _ totalBytes: Int64) -> Void)? = nil
    ) async throws(ModelStoreError) -> URL {
        let model = try installedModel(id)
        guard let variant = model.manifest.variant(named: name) else {
            throw .noSuchVariant(id: id, variant: name, available: model.manifest.variants.map(\.name))
        }
        let destination = model.fileURL(for: variant)
        if FileManager.default.fileExists(atPath: destination.path) { return destination }
        guard let source = URL(string: variant.url) else {
            throw .transferFailed(url: variant.url, reason: "not a URL")
        }
        let part = destination.appendingPathExtension(String(Transfer.partialSuffix.dropFirst()))
        let total = Int64(variant.bytes)
        var offset = Self.size(of: part)
        if offset > total {
            try Self.remove(part)
            offset = 0
        }
        if offset < total {
            do {
                try await Transfer.append(from: source, offset: offset, to: part, total: total, progress: progress)
            } catch .httpStatus(_, 416) where offset > 0 {
                // The server has fewer bytes than the partial file: it is stale, start again.
                try Self.remove(part)
                try await Transfer.append(from: source, offset: 0, to: part, total: total, progress: progress)
            }
        }
        try verify(part, against: variant, source: source)
        guard rename(part.path, destination.path) == 0 else {
            throw .unwritable(path: destination.path, reason: String(cString: strerror(errno)))
        }
        return destination
    }

    /// Checks size, then SHA-256; a file that fails either is removed.
    private func verify(_ part: URL, against variant: ModelManifest.Variant, source: URL) throws(ModelStoreError) {
        let size = Self.size(of: part)
        guard size == Int64(variant.bytes) else {
            try Self.remove(part)
            throw .sizeMismatch(url: source.absoluteString, expected: variant.bytes, actual: Int(size))
        }
        let digest: String
        do { digest = try FileDigest.sha256(of: part) } catch {
            throw .unreadable(path: part.path, reason: error.localizedDescription)
        }
        guard digest == variant.sha256.lowercased() else {
            try Self.remove(part)
            throw .digestMismatch(url: source.absoluteString, expected: variant.sha256.lowercased(), actual: digest)
        }
    }

    /// The size of the file at `url`; 0 when there is none.
    static func size(of url: URL) -> Int64 {
        let attributes = try? FileManager.default.attributesOfItem(atPath: url.path)
        return (attributes?[.size] as? NSNumber)?.int64Value ?? 0
    }

    static func remove(_ url: URL) throws(ModelStoreError) {
        do { try FileManager.default.removeItem(at: url) } catch {
            throw .unwritable(path: url.path, reason: error.localizedDescription)
        }
    }
}
