public import Foundation
public import ModelManifest

/// A model named on the command line, with its manifest, wherever it came from.
public struct ResolvedModel: Sendable, Equatable {
    /// Where the model was found.
    public enum Origin: Sendable, Equatable {
        /// Installed in the store.
        case installed(InstalledModel)
        /// A manifest file outside the store.
        case manifestFile(URL)
        /// A bare `.onnx` file; the manifest was derived from the graph.
        case modelFile(URL)
    }

    /// The manifest, variant URLs absolute.
    public var manifest: ModelManifest
    public var origin: Origin

    public init(manifest: ModelManifest, origin: Origin) {
        self.manifest = manifest
        self.origin = origin
    }

    /// Where `variant`'s file is on this machine now: the store's verified copy for an installed
    /// model, else the variant's own `file:` URL when that file exists; `nil` when it must be
    /// fetched first (install the manifest, then ``ModelStore/fetch(_:variant:progress:)``).
    public func localFile(for variant: ModelManifest.Variant) -> URL? {
        if case .installed(let model) = origin {
            return model.isFetched(variant) ? model.fileURL(for: variant) : nil
        }
        guard let url = URL(string: variant.url), url.isFileURL, FileManager.default.fileExists(atPath: url.path) else {
            return nil
        }
        return url
    }
}

extension ModelStore {
    /// Finds a model by what a user would type: an existing file (a `.onnx` model, or any
    /// other file read as a manifest), else an installed id.
    ///
    /// A `.onnx` file uses the manifest beside it that names it (what `tessera import` writes);
    /// a bare one gets a derived manifest (``defaultManifest(forModelAt:digests:)``).
    /// - Throws: ``ModelStoreError/notFound(name:installed:)`` when `name` is neither, listing
    ///   what is installed; manifest or model errors naming the file otherwise.
    public func resolve(_ name: String) throws(ModelStoreError) -> ResolvedModel {
        let url = URL(fileURLWithPath: name)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue {
            if url.pathExtension.lowercased() == "onnx" {
                if let beside = Self.manifest(beside: url) { return beside }
                return ResolvedModel(manifest: try Self.defaultManifest(forModelAt: url, digests: root), origin: .modelFile(url))
            }
            let data: Data
            do { data = try Data(contentsOf: url) } catch { throw .unreadable(path: url.path, reason: error.localizedDescription) }
            do {
                let manifest = try ModelManifest.decode(data, source: url)
                return ResolvedModel(manifest: manifest.resolvingURLs(relativeTo: url), origin: .manifestFile(url))
            } catch {
                throw .manifest(error)
            }
        }
        if ModelManifest.isValidName(name), FileManager.default.fileExists(atPath: directory(for: name).path) {
            let model = try installedModel(name)
            return ResolvedModel(manifest: model.manifest, origin: .installed(model))
        }
        throw .notFound(name: name, installed: installedIDs())
    }

    /// The manifest `tessera import` wrote beside `model` (same name, `.json`), when one of its
    /// variants is that very file: it knows what the graph alone cannot tell, such as the border
    /// a network crops (a derived manifest would take such a ×2 network for ×1).
    private static func manifest(beside model: URL) -> ResolvedModel? {
        let url = model.deletingPathExtension().appendingPathExtension("json")
        guard let data = try? Data(contentsOf: url), let manifest = try? ModelManifest.decode(data, source: url) else { return nil }
        let resolved = manifest.resolvingURLs(relativeTo: url)
        let target = model.standardizedFileURL.resolvingSymlinksInPath().path
        let names = resolved.variants.contains { variant in
            URL(string: variant.url).map { $0.isFileURL && $0.standardizedFileURL.resolvingSymlinksInPath().path == target } ?? false
        }
        return names ? ResolvedModel(manifest: resolved, origin: .manifestFile(url)) : nil
    }
}
