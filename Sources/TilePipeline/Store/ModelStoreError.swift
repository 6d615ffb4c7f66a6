public import ModelManifest

/// Why the model store could not do what was asked; every case names the file, URL or model.
public enum ModelStoreError: Error, CustomStringConvertible, Equatable {
    /// A manifest was refused (its own error names the source and the field).
    case manifest(ManifestError)
    /// No installed model has this id.
    case notInstalled(id: String, installed: [String])
    /// The manifest has no variant of this name.
    case noSuchVariant(id: String, variant: String, available: [String])
    /// The model already has a variant of this name.
    case variantExists(id: String, variant: String)
    /// A name that is neither an installed id nor an existing file.
    case notFound(name: String, installed: [String])
    /// A file or folder could not be read.
    case unreadable(path: String, reason: String)
    /// A file or folder could not be written or removed.
    case unwritable(path: String, reason: String)
    /// A bare `.onnx` file that cannot stand as an image model without a manifest.
    case unsuitableModel(path: String, reason: String)
    /// The transfer failed (network error, refused connection, cut connection).
    case transferFailed(url: String, reason: String)
    /// The server answered with a status other than 200 or 206.
    case httpStatus(url: String, status: Int)
    /// The fetched file has another size than the manifest says; it was removed.
    case sizeMismatch(url: String, expected: Int, actual: Int)
    /// The fetched file has another SHA-256 than the manifest says; it was removed.
    case digestMismatch(url: String, expected: String, actual: String)

    public var description: String {
        switch self {
        case .manifest(let error):
            "\(error)"
        case .notInstalled(let id, let installed):
            "no installed model '\(id)' (\(Self.list(installed, empty: "none installed")))"
        case .noSuchVariant(let id, let variant, let available):
            "\(id) has no variant '\(variant)' (variants: \(available.joined(separator: ", ")))"
        case .variantExists(let id, let variant):
            "\(id) already has a variant '\(variant)' (--replace replaces it)"
        case .notFound(let name, let installed):
            "'\(name)' is neither a file nor an installed model (\(Self.list(installed, empty: "none installed")))"
        case .unreadable(let path, let reason):
            "\(path): cannot read: \(reason)"
        case .unwritable(let path, let reason):
            "\(path): cannot write: \(reason)"
        case .unsuitableModel(let path, let reason):
            "\(path): \(reason)"
        case .transferFailed(let url, let reason):
            "\(url): transfer failed: \(reason)"
        case .httpStatus(let url, let status):
            "\(url): the server answered HTTP \(status)"
        case .sizeMismatch(let url, let expected, let actual):
            "\(url): expected \(expected) bytes, got \(actual); the download was removed"
        case .digestMismatch(let url, let expected, let actual):
            "\(url): SHA-256 mismatch: expected \(expected), got \(actual); the download was removed"
        }
    }

    private static func list(_ ids: [String], empty: String) -> String {
        ids.isEmpty ? empty : "installed: " + ids.joined(separator: ", ")
    }
}
