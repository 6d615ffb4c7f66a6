public import Foundation
public import InferenceRuntime

/// What serving one model opened: the sessions tensor requests run on and, where the caller
/// offers it, the whole-image path (`POST /upscale/NAME`).
public struct LoadedModel: Sendable {
    public var sessions: [any Session]
    /// Upscales one encoded image (PNG, JPEG, TIFF, WebP, AVIF) into the same format (PNG for
    /// AVIF, which is read only); throws ``ImageRequestError`` for a fault of the image itself.
    public var upscaleImage: (@Sendable (Data) async throws -> UpscaledImage)?

    public init(sessions: [any Session], upscaleImage: (@Sendable (Data) async throws -> UpscaledImage)? = nil) {
        self.sessions = sessions
        self.upscaleImage = upscaleImage
    }
}

/// An upscaled image, encoded, with its media type (`image/png`, …).
public struct UpscaledImage: Sendable {
    public var data: Data
    public var contentType: String

    public init(data: Data, contentType: String) {
        self.data = data
        self.contentType = contentType
    }
}

/// A posted image the server cannot upscale, by the client's fault: answered 4xx, not 500.
public enum ImageRequestError: Error, Sendable, CustomStringConvertible {
    /// Not an image in a format Tessera reads (415).
    case unsupportedFormat(String)
    /// A damaged or truncated image (400).
    case unreadable(String)
    /// More pixels than the server accepts (413).
    case tooLarge(String)

    public var description: String {
        switch self {
        case .unsupportedFormat(let reason), .unreadable(let reason), .tooLarge(let reason): reason
        }
    }
}
