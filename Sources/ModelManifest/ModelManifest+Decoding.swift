public import Foundation

extension ModelManifest {
    /// Reads and validates a manifest.
    ///
    /// ```swift
    /// let url = URL(fileURLWithPath: "x4.json")
    /// let manifest = try ModelManifest.decode(Data(contentsOf: url), source: url)
    /// ```
    /// - Parameter source: where the bytes came from; errors name it, and relative variant URLs
    ///   are later resolved against it (``Variant/resolvedURL(relativeTo:)``).
    /// - Throws: ``ManifestError`` naming `source` and the field path: a schema version other
    ///   than 1, missing fields, wrong types, values the schema refuses (see ``validate(source:)``).
    public static func decode(_ data: Data, source: URL) throws(ManifestError) -> ModelManifest {
        let name = displayName(of: source)
        let root: Any
        do { root = try JSONSerialization.jsonObject(with: data) } catch {
            throw .notJSON(source: name, reason: (error as NSError).localizedDescription)
        }
        guard let object = root as? [String: Any] else {
            throw .invalid(source: name, field: "", problem: "expected a JSON object, got \(JSONValueText.describe(root))")
        }
        // The version decides how to read everything else, so it is checked on its own first.
        guard let schemaValue = object["schema"] else {
            throw .invalid(source: name, field: "schema", problem: "required field is missing")
        }
        guard let schema = JSONValueText.integer(schemaValue) else {
            throw .invalid(source: name, field: "schema", problem: "expected an integer, got \(JSONValueText.describe(schemaValue))")
        }
        guard schema == currentSchema else { throw .unsupportedSchema(source: name, found: schema) }

        let manifest: ModelManifest
        do {
            manifest = try JSONDecoder().decode(ModelManifest.self, from: data)
        } catch let error as DecodingError {
            throw describe(error, root: root, source: name)
        } catch {
            throw .notJSON(source: name, reason: "\(error)")
        }
        try manifest.validate(source: name)
        return manifest
    }

    /// Pretty-printed JSON with sorted keys and a final newline, as the importer and the store
    /// write manifests.
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self) + Data("\n".utf8)
    }

    /// How errors name a source: the path of a file, the whole URL otherwise.
    static func displayName(of source: URL) -> String {
        source.isFileURL ? source.path : source.absoluteString
    }

    /// Turns a decoding failure into a field path and a readable problem.
    private static func describe(_ error: DecodingError, root: Any, source: String) -> ManifestError {
        func path(_ keys: [any CodingKey]) -> String {
            keys.reduce(into: "") { text, key in
                if let index = key.intValue, key.stringValue == "Index \(index)" || key.stringValue == "\(index)" {
                    text += "[\(index)]"
                } else {
                    text += text.isEmpty ? key.stringValue : ".\(key.stringValue)"
                }
            }
        }
        func found(_ keys: [any CodingKey]) -> String {
            JSONValueText.value(at: keys, in: root).map(JSONValueText.describe) ?? "nothing"
        }
        switch error {
        case .keyNotFound(let key, let context):
            return .invalid(source: source, field: path(context.codingPath + [key]), problem: "required field is missing")
        case .valueNotFound(let type, let context):
            return .invalid(
                source: source, field: path(context.codingPath), problem: "expected \(JSONValueText.expected(type)), got null")
        case .typeMismatch(let type, let context):
            return .invalid(
                source: source, field: path(context.codingPath),
                problem: "expected \(JSONValueText.expected(type)), got \(found(context.codingPath))")
        case .dataCorrupted(let context):
            // Foundation reports a number that does not fit an integer field without its path;
            // the only fractional numbers the schema allows are the endpoint ranges.
            if context.codingPath.isEmpty, let (field, value) = JSONValueText.firstNonInteger(in: root, path: "") {
                return .invalid(source: source, field: field, problem: "expected an integer, got \(value)")
            }
            return .invalid(source: source, field: path(context.codingPath), problem: context.debugDescription)
        @unknown default:
            return .invalid(source: source, field: "", problem: "\(error)")
        }
    }
}

/// Describes JSON values found by `JSONSerialization` for error messages.
enum JSONValueText {
    /// The value at a decoder's coding path, if the path leads anywhere.
    static func value(at keys: [any CodingKey], in root: Any) -> Any? {
        var current: Any = root
        for key in keys {
            if let list = current as? [Any], let index = key.intValue, list.indices.contains(index) {
                current = list[index]
            } else if let object = current as? [String: Any], let next = object[key.stringValue] {
                current = next
            } else {
                return nil
            }
        }
        return current
    }

    /// `"abc"`, `4.5`, `true`, `null`, `a list`, `an object`.
    static func describe(_ value: Any) -> String {
        switch value {
        case let text as String:
            let shown = text.count > 80 ? String(text.prefix(77)) + "…" : text
            return "\"\(shown)\""
        case let number as NSNumber where isBoolean(number): return number.boolValue ? "true" : "false"
        case let number as NSNumber: return number.stringValue
        case is NSNull: return "null"
        case is [Any]: return "a list"
        case is [String: Any]: return "an object"
        default: return "\(value)"
        }
    }

    /// An integral JSON number as an `Int`; `nil` for anything else.
    static func integer(_ value: Any) -> Int? {
        guard let number = value as? NSNumber, !isBoolean(number) else { return nil }
        let double = number.doubleValue
        guard double == double.rounded(), abs(double) < 9.0e15 else { return nil }
        return Int(double)
    }

    /// `true` and `false` arrive as NSNumbers too; their type code is `c` (a C char).
    static func isBoolean(_ number: NSNumber) -> Bool {
        String(cString: number.objCType) == "c"
    }

    /// The first number (keys in sorted order) that is not a whole `Int`, outside `range` lists,
    /// with its path and text.
    static func firstNonInteger(in value: Any, path: String) -> (String, String)? {
        switch value {
        case let list as [Any]:
            if path.hasSuffix("range") { return nil }
            for (index, item) in list.enumerated() {
                if let found = firstNonInteger(in: item, path: "\(path)[\(index)]") { return found }
            }
        case let object as [String: Any]:
            for key in object.keys.sorted() {
                guard let item = object[key] else { continue }
                if let found = firstNonInteger(in: item, path: path.isEmpty ? key : "\(path).\(key)") { return found }
            }
        case let number as NSNumber where !isBoolean(number):
            if integer(number) == nil { return (path, number.stringValue) }
        default:
            break
        }
        return nil
    }

    /// What a field of `type` holds, in words.
    static func expected(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Int.Type: return "an integer"
        case is Double.Type: return "a number"
        case is Bool.Type: return "true or false"
        default:
            let name = "\(type)"
            if name.hasPrefix("Array") || name.hasPrefix("[") && !name.contains(":") { return "a list" }
            return "an object"
        }
    }
}
