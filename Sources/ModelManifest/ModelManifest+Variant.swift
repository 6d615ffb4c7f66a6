extension ModelManifest {
    /// One file the model exists as: for one library or any, at one precision.
    public struct Variant: Codable, Sendable, Equatable, Hashable {
        /// The library the file is made for; `nil` means any library can run it.
        public var library: Library?
        public var precision: Precision
        /// The file name in the store's model folder: a plain name, no folders.
        public var file: String
        /// Where to fetch the file: an absolute `file://`, `http://` or `https://` URL, or a
        /// reference relative to the manifest's own URL (`x4.onnx` sits beside the manifest).
        public var url: String
        /// Lower-case hex SHA-256 of the file; a fetched file must match it.
        public var sha256: String
        /// The file's size in bytes.
        public var bytes: Int
        public var requires: Requirements?
        /// The model's operators, for capability checks before anything is fetched; `nil` when
        /// the manifest's author did not record them (the check then waits for the file).
        public var summary: Summary?

        public init(
            library: Library? = nil, precision: Precision, file: String, url: String, sha256: String, bytes: Int,
            requires: Requirements? = nil, summary: Summary? = nil
        ) {
            self.library = library
            self.precision = precision
            self.file = file
            self.url = url
            self.sha256 = sha256
            self.bytes = bytes
            self.requires = requires
            self.summary = summary
        }

        /// A name unique within the manifest, `<library>-<precision>` with `any` for no library:
        /// `openvino-fp16`, `any-fp32`. Validation refuses two variants with the same name.
        public var name: String { Self.name(library: library, precision: precision) }

        /// The name a variant for `library` (`nil`: any) at `precision` has.
        public static func name(library: Library?, precision: Precision) -> String {
            "\(library?.rawValue ?? "any")-\(precision.rawValue)"
        }
    }

    /// What a machine needs to use a variant.
    public struct Requirements: Codable, Sendable, Equatable, Hashable {
        /// The oldest version of the variant's library that runs it, `major.minor[.patch]`
        /// (`1.16`); needs the variant's `library`, since versions differ between libraries.
        public var minVersion: String?
        /// Device memory the model needs, in MiB.
        public var minMemoryMB: Int?

        public init(minVersion: String? = nil, minMemoryMB: Int? = nil) {
            self.minVersion = minVersion
            self.minMemoryMB = minMemoryMB
        }
    }

    /// What capability checks need to know about a variant's graph, without the file.
    ///
    /// `operators` lists each operator once as `domain:Op:sinceVersion` (`ai.onnx:Conv:11`,
    /// `com.microsoft:FusedConv:1`): the since-version is the operator definition in force at the
    /// model's opset, the key libraries register kernels under.
    public struct Summary: Codable, Sendable, Equatable, Hashable {
        /// The ONNX IR version of the file.
        public var irVersion: Int
        /// Opset version per domain, `ai.onnx` spelled out.
        public var opsets: [String: Int]
        public var operators: [OperatorEntry]

        public init(irVersion: Int, opsets: [String: Int], operators: [OperatorEntry]) {
            self.irVersion = irVersion
            self.opsets = opsets
            self.operators = operators
        }
    }

    /// One operator definition, written `domain:Op:sinceVersion`.
    public struct OperatorEntry: Codable, Sendable, Hashable, Comparable, CustomStringConvertible {
        /// `ai.onnx` for the default domain.
        public var domain: String
        public var type: String
        public var sinceVersion: Int

        public init(domain: String, type: String, sinceVersion: Int) {
            self.domain = domain
            self.type = type
            self.sinceVersion = sinceVersion
        }

        /// Parses `domain:Op:sinceVersion`; the domain may contain dots but no colon.
        public init?(_ text: String) {
            let parts = text.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty, let since = Int(parts[2]) else { return nil }
            self.init(domain: String(parts[0]), type: String(parts[1]), sinceVersion: since)
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let entry = OperatorEntry(text) else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "expected \"domain:Operator:sinceVersion\", got \"\(text)\"")
            }
            self = entry
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(description)
        }

        public var description: String { "\(domain):\(type):\(sinceVersion)" }

        public static func < (a: OperatorEntry, b: OperatorEntry) -> Bool {
            (a.domain, a.type, a.sinceVersion) < (b.domain, b.type, b.sinceVersion)
        }
    }
}
