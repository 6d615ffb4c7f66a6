public import Foundation
public import ModelManifest

/// A model in the store: its manifest (variant URLs absolute) and its folder,
/// `<root>/models/<id>/`, which holds `manifest.json` and the variant files fetched so far.
public struct InstalledModel: Sendable, Equatable {
    public var manifest: ModelManifest
    public var directory: URL

    public init(manifest: ModelManifest, directory: URL) {
        self.manifest = manifest
        self.directory = directory
    }

    public var id: String { manifest.id }

    /// `<directory>/manifest.json`.
    public var manifestURL: URL { directory.appendingPathComponent(ModelStore.manifestName) }

    /// Where `variant`'s file lives once fetched.
    public func fileURL(for variant: ModelManifest.Variant) -> URL {
        directory.appendingPathComponent(variant.file)
    }

    /// Whether `variant` has been fetched (and so passed its size and SHA-256 checks: files are
    /// renamed into place only after both).
    public func isFetched(_ variant: ModelManifest.Variant) -> Bool {
        FileManager.default.fileExists(atPath: fileURL(for: variant).path)
    }
}
