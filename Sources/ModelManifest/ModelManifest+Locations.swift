import Crypto
public import Foundation

extension ModelManifest.Variant {
    /// The variant's URL made absolute: relative references resolve against `manifestURL`, the
    /// URL the manifest itself was read from, so a manifest and its model can sit side by side.
    /// `nil` only for a URL that ``ModelManifest/validate(source:)`` refuses.
    public func resolvedURL(relativeTo manifestURL: URL) -> URL? {
        guard let url = URL(string: url) else { return nil }
        if url.scheme != nil { return url }
        return URL(string: self.url, relativeTo: manifestURL)?.absoluteURL
    }

    /// A variant describing `data`, the file's exact bytes: its SHA-256 and size are computed.
    /// - Parameters:
    ///   - file: the file name in the store (and, by default, the relative URL beside the manifest).
    ///   - url: where to fetch it; `nil` means the file sits beside the manifest (a valid file
    ///     name is also a valid relative URL).
    public init(
        describing data: Data, file: String, url: String? = nil, library: ModelManifest.Library? = nil,
        precision: ModelManifest.Precision, requires: ModelManifest.Requirements? = nil, summary: ModelManifest.Summary? = nil
    ) {
        let digest = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
        self.init(
            library: library, precision: precision, file: file, url: url ?? file, sha256: digest,
            bytes: data.count, requires: requires, summary: summary)
    }
}

extension ModelManifest {
    /// The same manifest with every variant URL absolute, resolved against `manifestURL`; a
    /// copy stored elsewhere then still finds its files.
    public func resolvingURLs(relativeTo manifestURL: URL) -> ModelManifest {
        var copy = self
        for index in copy.variants.indices {
            if let absolute = copy.variants[index].resolvedURL(relativeTo: manifestURL) {
                copy.variants[index].url = absolute.absoluteString
            }
        }
        return copy
    }

    /// The variant called `name` (``Variant/name``, such as `any-fp32`).
    public func variant(named name: String) -> Variant? {
        variants.first { $0.name == name }
    }
}
