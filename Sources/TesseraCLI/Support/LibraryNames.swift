import ArgumentParser

/// The `--library` values every command accepts.
enum LibraryNames {
    static let all = ["onnxruntime", "openvino", "reference", "remote"]

    /// Throws the usage error for an unknown `--library`.
    static func validate(_ library: String?) throws {
        if let library, !all.contains(library) {
            throw ValidationError("--library must be one of \(all.joined(separator: ", "))")
        }
    }
}
