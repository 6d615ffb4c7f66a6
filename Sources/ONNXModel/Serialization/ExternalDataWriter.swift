import Foundation

/// Streams tensors that a save sends to external files into temporary files beside the model,
/// and renames them into place only when the whole save has succeeded.
final class ExternalDataWriter {
    private let directory: URL
    private let policy: SaveOptions.ExternalData
    private var files: [String: StagedFile] = [:]
    /// Offsets are aligned so each tensor can be mapped and read with aligned loads.
    static let alignment = 64

    init(directory: URL, policy: SaveOptions.ExternalData) {
        self.directory = directory
        self.policy = policy
    }

    /// Writes `bytes` to the file the policy picks and returns the reference, or `nil` to keep the
    /// tensor inside the model.
    func place(_ stored: StoredTensor, bytes: Data) throws(ONNXModelError) -> ExternalDataReference? {
        let location: String
        switch (policy, stored.encoding) {
        case (.keep, .external(let original)): location = original.location
        case (.file(let name, let threshold), _) where bytes.count >= threshold: location = name
        default: return nil
        }
        let target = try ExternalDataResolver.confinedURL(location, in: directory, tensor: stored.name)
        let file: StagedFile
        if let staged = files[location] {
            file = staged
        } else {
            do { file = try StagedFile(destination: target) } catch {
                throw .externalData(tensor: stored.name, location: location, reason: error.description)
            }
            files[location] = file
        }
        do {
            let offset = try file.append(bytes, alignment: Self.alignment)
            return ExternalDataReference(location: location, offset: offset, length: bytes.count)
        } catch {
            throw .externalData(tensor: stored.name, location: location, reason: error.description)
        }
    }

    /// Moves every staged file into place.
    func commit() throws(ONNXModelError) {
        for file in files.values {
            do { try file.commit() } catch { throw .unwritable(reason: error.description) }
        }
        files.removeAll()
    }

    /// Removes every staged file; called when the save fails.
    func discard() {
        for file in files.values { file.discard() }
        files.removeAll()
    }
}
