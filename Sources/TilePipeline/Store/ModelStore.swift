public import Foundation
import ModelManifest

/// Tessera's model cache: installed manifests and the variant files fetched for them.
///
/// Layout: `<root>/models/<id>/manifest.json` beside the fetched files. Installing copies a
/// manifest in (with its variant URLs made absolute, so the copy still finds its files);
/// ``fetch(_:variant:progress:)`` downloads one variant, checks its size and SHA-256, and only
/// then renames it into place, so a file in the store is always a verified one.
///
/// ```swift
/// let store = ModelStore(root: ModelStore.defaultRoot())
/// let model = try await store.install(manifestAt: URL(fileURLWithPath: "fixtures/models/x4.json"))
/// let file = try await store.fetch(model.id, variant: "any-fp32") { done, total in print(done, total) }
/// ```
///
/// A value type over a folder: safe to share; two processes fetching the same file at once
/// may both download it, and the later rename wins with identical, verified bytes.
public struct ModelStore: Sendable {
    /// The cache root; models live under `<root>/models`.
    public var root: URL

    public init(root: URL) {
        self.root = root
    }

    /// The name of each model's manifest inside its folder.
    public static let manifestName = "manifest.json"

    /// Tessera's cache folder: `$TESSERA_CACHE`, else `$XDG_CACHE_HOME/tessera`, else
    /// `~/.cache/tessera`. Speed profiles and compiled-model caches live here too.
    public static func defaultRoot(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let explicit = environment["TESSERA_CACHE"], !explicit.isEmpty { return URL(fileURLWithPath: explicit) }
        if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty {
            return URL(fileURLWithPath: xdg).appendingPathComponent("tessera")
        }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/tessera")
    }

    /// `<root>/models`.
    public var modelsDirectory: URL { root.appendingPathComponent("models", isDirectory: true) }

    /// Copies the manifest at `url` (a file or an `http(s)` URL) into the store; fetches nothing.
    ///
    /// Installing an id again replaces its manifest; fetched files whose variant changed (or
    /// went) are removed, files of unchanged variants are kept.
    /// - Throws: ``ModelStoreError``: the manifest is unreadable or invalid, or the store unwritable.
    public func install(manifestAt url: URL) async throws(ModelStoreError) -> InstalledModel {
        let data = try await Transfer.contents(of: url)
        let manifest: ModelManifest
        do { manifest = try ModelManifest.decode(data, source: url) } catch { throw .manifest(error) }
        let installed = InstalledModel(manifest: manifest.resolvingURLs(relativeTo: url), directory: directory(for: manifest.id))
        let previous = try? model(at: installed.directory)
        let encoded: Data
        do { encoded = try installed.manifest.jsonData() } catch {
            throw .unwritable(path: installed.manifestURL.path, reason: "\(error)")
        }
        do {
            try FileManager.default.createDirectory(at: installed.directory, withIntermediateDirectories: true)
            try removeStaleFiles(in: installed, previous: previous?.manifest)
            try encoded.write(to: installed.manifestURL, options: .atomic)
        } catch {
            throw .unwritable(path: installed.manifestURL.path, reason: error.localizedDescription)
        }
        return installed
    }

    /// Every installed model, sorted by id.
    /// - Throws: ``ModelStoreError`` when a stored manifest cannot be read; its message names
    ///   the file (``remove(id:)`` still removes such a model).
    public func installed() throws(ModelStoreError) -> [InstalledModel] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: modelsDirectory.path)
        } catch {
            // No models folder yet is an empty store.
            if !FileManager.default.fileExists(atPath: modelsDirectory.path) { return [] }
            throw .unreadable(path: modelsDirectory.path, reason: error.localizedDescription)
        }
        var models: [InstalledModel] = []
        for name in names.sorted() where ModelManifest.isValidName(name) {
            let folder = modelsDirectory.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: folder.appendingPathComponent(Self.manifestName).path) else { continue }
            models.append(try model(at: folder))
        }
        return models
    }

    /// The installed model `id`.
    /// - Throws: ``ModelStoreError/notInstalled(id:installed:)`` listing what is installed.
    public func installedModel(_ id: String) throws(ModelStoreError) -> InstalledModel {
        let folder = directory(for: id)
        guard ModelManifest.isValidName(id), FileManager.default.fileExists(atPath: folder.appendingPathComponent(Self.manifestName).path)
        else { throw .notInstalled(id: id, installed: installedIDs()) }
        return try model(at: folder)
    }

    /// Removes model `id`: its manifest and every fetched file.
    /// - Throws: ``ModelStoreError/notInstalled(id:installed:)`` when there is no such model.
    public func remove(id: String) throws(ModelStoreError) {
        let folder = directory(for: id)
        guard ModelManifest.isValidName(id), FileManager.default.fileExists(atPath: folder.path) else {
            throw .notInstalled(id: id, installed: installedIDs())
        }
        do { try FileManager.default.removeItem(at: folder) } catch {
            throw .unwritable(path: folder.path, reason: error.localizedDescription)
        }
    }

    /// `<root>/models/<id>/`; marked a folder explicitly, since Foundation otherwise adds the
    /// trailing slash only once the folder exists, and the same model's URLs would differ.
    func directory(for id: String) -> URL { modelsDirectory.appendingPathComponent(id, isDirectory: true) }

    /// The ids of the model folders that hold a manifest, for error messages.
    func installedIDs() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: modelsDirectory.path)) ?? []
        return names.filter {
            FileManager.default.fileExists(atPath: modelsDirectory.appendingPathComponent($0).appendingPathComponent(Self.manifestName).path)
        }.sorted()
    }

    /// Reads the manifest stored in `folder`.
    private func model(at folder: URL) throws(ModelStoreError) -> InstalledModel {
        let url = folder.appendingPathComponent(Self.manifestName)
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw .unreadable(path: url.path, reason: error.localizedDescription) }
        do {
            return InstalledModel(manifest: try ModelManifest.decode(data, source: url), directory: folder)
        } catch {
            throw .manifest(error)
        }
    }

    /// Removes files (and partial downloads) that no variant of the new manifest vouches for:
    /// a file is kept only when the same file name had the same SHA-256 before.
    private func removeStaleFiles(in model: InstalledModel, previous: ModelManifest?) throws {
        let kept = Set(
            model.manifest.variants.filter { variant in
                previous?.variants.contains { $0.file == variant.file && $0.sha256.lowercased() == variant.sha256.lowercased() } ?? false
            }.flatMap { [$0.file, $0.file + Transfer.partialSuffix] })
        for name in try FileManager.default.contentsOfDirectory(atPath: model.directory.path)
        where name != Self.manifestName && !kept.contains(name) {
            try FileManager.default.removeItem(at: model.directory.appendingPathComponent(name))
        }
    }
}
