import Foundation
public import TensorCore

/// A tensor as a model file stores it: a name, the typed payload, and where the payload lives.
///
/// Used for graph initializers and for `TENSOR` attributes such as `Constant`'s `value`.
public struct StoredTensor: Sendable {
    /// How the payload was, or will be, written.
    public enum Encoding: Sendable, Hashable {
        /// Packed little-endian bytes in `raw_data`.
        case raw
        /// The typed repeated field (`float_data`, `int64_data`, …).
        case typedField
        /// A region of a file next to the model.
        case external(ExternalDataReference)
    }

    public var name: String
    public var tensor: Tensor
    public var encoding: Encoding
    public var docString: String
    var retained: RetainedTensorFields

    /// A tensor stored in `raw_data` unless the save options move it to an external file.
    public init(name: String, tensor: Tensor, encoding: Encoding = .raw) {
        self.name = name
        self.tensor = tensor
        self.encoding = encoding
        self.docString = ""
        self.retained = RetainedTensorFields()
    }
}

/// Where an external tensor's bytes are: a file relative to the model's folder, an offset and a length.
public struct ExternalDataReference: Sendable, Hashable {
    /// Path relative to the model's folder; never absolute and never leaving the folder.
    public var location: String
    public var offset: Int
    /// `nil` when the file says "to the end of the file".
    public var length: Int?
    /// The optional `checksum` entry, kept as given.
    public var checksum: String?

    public init(location: String, offset: Int = 0, length: Int? = nil, checksum: String? = nil) {
        self.location = location
        self.offset = offset
        self.length = length
        self.checksum = checksum
    }
}
