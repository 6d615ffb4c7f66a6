/// Why a manifest was refused, naming where it came from and the field at fault.
///
/// ```
/// x4.json: variants[1].sha256: expected 64 hexadecimal digits, got "abc"
/// ```
public enum ManifestError: Error, CustomStringConvertible, Equatable {
    /// The bytes are not JSON at all.
    case notJSON(source: String, reason: String)
    /// The `schema` field names a version this code cannot read.
    case unsupportedSchema(source: String, found: Int)
    /// A field is missing, has the wrong type, or a value the schema refuses. `field` is the
    /// path from the document's root, such as `variants[1].sha256` or `tiling.maxTile`.
    case invalid(source: String, field: String, problem: String)

    /// The file or URL the manifest was read from, as the message shows it.
    public var source: String {
        switch self {
        case .notJSON(let source, _), .unsupportedSchema(let source, _), .invalid(let source, _, _): source
        }
    }

    /// The field path at fault; empty when the whole document is.
    public var field: String {
        switch self {
        case .notJSON: ""
        case .unsupportedSchema: "schema"
        case .invalid(_, let field, _): field
        }
    }

    public var description: String {
        switch self {
        case .notJSON(let source, let reason):
            "\(source): not a JSON manifest: \(reason)"
        case .unsupportedSchema(let source, let found):
            "\(source): schema: unsupported version \(found) (this version of Tessera reads schema \(ModelManifest.currentSchema))"
        case .invalid(let source, let field, let problem):
            field.isEmpty ? "\(source): \(problem)" : "\(source): \(field): \(problem)"
        }
    }
}
