import Foundation

extension ModelManifest {
    /// Checks every value the schema constrains, beyond the types the decoder checks.
    ///
    /// Refuses: an `id` that is not a safe folder name; a scale below 1; empty endpoint names; a
    /// range whose lower bound is not below its upper; negative tiling sizes or border, or `maxTile` below
    /// `minTile`; no variants; a `file` that is not a plain file name; a URL that is neither
    /// `file:`, `http:`, `https:` nor relative; a `sha256` that is not 64 hex digits; a size
    /// below 1 byte; a malformed `minVersion` or one without a library; negative memory; two
    /// variants with the same name (library and precision), or one file name with two contents;
    /// summary operators in a domain the summary has no opset for, or newer than that opset.
    /// - Parameter source: names the manifest in errors.
    /// - Throws: ``ManifestError/invalid(source:field:problem:)`` for the first problem found.
    public func validate(source: String) throws(ManifestError) {
        func fail(_ field: String, _ problem: String) -> ManifestError {
            .invalid(source: source, field: field, problem: problem)
        }
        if schema != Self.currentSchema { throw .unsupportedSchema(source: source, found: schema) }
        if let problem = Self.problem(withName: id) { throw fail("id", problem) }
        if scale < 1 { throw fail("scale", "expected a whole number of at least 1, got \(scale)") }
        for (field, endpoint) in [("input", input), ("output", output)] {
            if endpoint.name.isEmpty { throw fail("\(field).name", "expected the graph's tensor name, got \"\"") }
            let range = endpoint.range
            if !range.lower.isFinite || !range.upper.isFinite || range.lower >= range.upper {
                throw fail("\(field).range", "expected [lower, upper] with lower < upper, got [\(range.lower), \(range.upper)]")
            }
        }
        try validateTiling(fail)
        if variants.isEmpty { throw fail("variants", "expected at least one variant") }
        for (index, variant) in variants.enumerated() {
            try variant.validate(field: "variants[\(index)]", fail)
            for earlier in variants[..<index].indices {
                let other = variants[earlier]
                if other.name == variant.name {
                    throw fail(
                        "variants[\(index)]",
                        "duplicates variants[\(earlier)] (library \(variant.library?.rawValue ?? "any"), precision \(variant.precision))")
                }
                if other.file == variant.file, other.sha256.lowercased() != variant.sha256.lowercased() || other.url != variant.url {
                    throw fail("variants[\(index)].file", "\"\(variant.file)\" is also variants[\(earlier)]'s file, with other contents")
                }
            }
        }
    }

    private func validateTiling(_ fail: (String, String) -> ManifestError) throws(ManifestError) {
        if tiling.multipleOf < 1 { throw fail("tiling.multipleOf", "expected at least 1, got \(tiling.multipleOf)") }
        if tiling.overlap < 0 { throw fail("tiling.overlap", "expected 0 or more, got \(tiling.overlap)") }
        if let border = tiling.border, border < 0 { throw fail("tiling.border", "expected 0 or more, got \(border)") }
        if tiling.minTile < 1 { throw fail("tiling.minTile", "expected at least 1, got \(tiling.minTile)") }
        if tiling.maxTile < tiling.minTile {
            throw fail("tiling.maxTile", "expected at least minTile (\(tiling.minTile)), got \(tiling.maxTile)")
        }
    }

    /// Whether `name` can be a model id or a variant file name: 1 to 128 letters, digits, `.`,
    /// `_` and `-`, not starting with `.`, so it is always one safe path component.
    public static func isValidName(_ name: String) -> Bool { problem(withName: name) == nil }

    /// `text` made a valid name: other characters become `-`, leading dots and characters past
    /// 128 go; `nil` when nothing is left.
    public static func sanitizedName(_ text: String) -> String? {
        let cleaned = String(text.map { nameCharacters.contains($0) ? $0 : "-" }.drop { $0 == "." }.prefix(128))
        return isValidName(cleaned) ? cleaned : nil
    }

    private static let nameCharacters = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")

    /// Why `name` cannot be a model id or file name in the store, or `nil` when it can.
    static func problem(withName name: String) -> String? {
        if name.isEmpty { return "expected a name, got \"\"" }
        if name.count > 128 { return "expected at most 128 characters, got \(name.count)" }
        if name.hasPrefix(".") || !name.allSatisfy(nameCharacters.contains) {
            return "expected letters, digits, '.', '_' and '-' only, not starting with '.', got \"\(name)\""
        }
        return nil
    }
}

extension ModelManifest.Variant {
    fileprivate func validate(field: String, _ fail: (String, String) -> ManifestError) throws(ManifestError) {
        if let problem = ModelManifest.problem(withName: file) { throw fail("\(field).file", problem) }
        if file == "manifest.json" || file.hasSuffix(".part") {
            throw fail("\(field).file", "\"\(file)\" is a name the model store uses for itself")
        }
        if let problem = Self.problem(withURL: url) { throw fail("\(field).url", problem) }
        if sha256.count != 64 || !sha256.allSatisfy({ $0.isASCII && $0.isHexDigit }) {
            throw fail("\(field).sha256", "expected 64 hexadecimal digits, got \"\(sha256.prefix(80))\"")
        }
        if bytes < 1 { throw fail("\(field).bytes", "expected a size of at least 1 byte, got \(bytes)") }
        if let requires {
            if let version = requires.minVersion {
                let parts = version.split(separator: ".", omittingEmptySubsequences: false)
                if !(2...3).contains(parts.count) || !parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }) {
                    throw fail("\(field).requires.minVersion", "expected major.minor[.patch] such as \"1.16\", got \"\(version)\"")
                }
                if library == nil {
                    throw fail("\(field).requires.minVersion", "needs the variant's library (versions differ between libraries)")
                }
            }
            if let memory = requires.minMemoryMB, memory < 0 {
                throw fail("\(field).requires.minMemoryMB", "expected 0 or more, got \(memory)")
            }
        }
        if let summary { try summary.validate(field: "\(field).summary", fail) }
    }

    /// Why `text` is not a URL a variant may use, or `nil` when it is.
    static func problem(withURL text: String) -> String? {
        guard !text.isEmpty, let url = URL(string: text) else { return "expected a URL, got \"\(text)\"" }
        switch url.scheme?.lowercased() {
        case nil:
            return nil
        case "file":
            return url.path.hasPrefix("/") ? nil : "expected an absolute file:// URL, got \"\(text)\""
        case "http", "https":
            return url.host?.isEmpty == false ? nil : "expected a host in \"\(text)\""
        case let scheme?:
            return "unsupported URL scheme \"\(scheme)\" (expected file, http, https or a relative reference)"
        }
    }
}

extension ModelManifest.Summary {
    fileprivate func validate(field: String, _ fail: (String, String) -> ManifestError) throws(ManifestError) {
        if irVersion < 1 { throw fail("\(field).irVersion", "expected at least 1, got \(irVersion)") }
        for (domain, version) in opsets.sorted(by: { $0.key < $1.key }) where version < 1 {
            throw fail("\(field).opsets.\(domain)", "expected at least 1, got \(version)")
        }
        for (index, entry) in operators.enumerated() {
            guard let opset = opsets[entry.domain] else {
                throw fail("\(field).operators[\(index)]", "domain \"\(entry.domain)\" of \(entry) has no entry in opsets")
            }
            if entry.sinceVersion < 1 || entry.sinceVersion > opset {
                throw fail("\(field).operators[\(index)]", "since-version of \(entry) must be between 1 and the opset, \(opset)")
            }
        }
    }
}
