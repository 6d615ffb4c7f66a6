import CImageCodecs

/// A failure as the C shim reported it, before the caller ties it to a path.
struct CodecFailure: Error {
    enum Kind {
        /// The system refused an open, read, write or close.
        case system
        case truncated
        case corrupt
        case unsupported
        /// The library refused a request (while writing, mostly).
        case library
        case memory
    }

    var kind: Kind
    var message: String

    init(kind: Kind, message: String) {
        self.kind = kind
        self.message = message
    }

    /// Reads the shim's error record.
    init(_ error: ic_error) {
        switch error.status {
        case IC_ERR_IO: kind = .system
        case IC_ERR_TRUNCATED: kind = .truncated
        case IC_ERR_CORRUPT: kind = .corrupt
        case IC_ERR_UNSUPPORTED: kind = .unsupported
        case IC_ERR_MEMORY: kind = .memory
        default: kind = .library
        }
        message = withUnsafeBytes(of: error.message) { bytes in
            String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
        }
        if message.isEmpty { message = "the codec failed without a message" }
    }
}
