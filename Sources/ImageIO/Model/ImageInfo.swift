public import Foundation

/// What a file's header says, without decoding its pixels (see ``ImageReader/info(_:)``).
public struct ImageInfo: Sendable, Hashable {
    /// The width as ``ImageReader/read(_:)`` returns it: after the orientation is applied, so
    /// orientations 5…8 swap the stored width and height.
    public var width: Int
    /// The height as ``ImageReader/read(_:)`` returns it (after the orientation is applied).
    public var height: Int
    /// The layout as decoded: a palette expands to RGB (RGBA with transparency), gray below 8 bits
    /// to 8 bits.
    public var layout: PixelLayout
    /// The format recognised from the file's first bytes (not from its extension).
    public var format: ImageFormat
    /// The embedded ICC profile's bytes (PNG iCCP, JPEG APP2 chunks joined, TIFF tag 34675, WebP ICCP).
    public var iccProfile: Data?
    /// The EXIF (JPEG, PNG, WebP) or TIFF orientation, 1…8 (1 when absent or invalid). The reader has
    /// already applied it, so the pixels of a read ``Image`` are upright.
    public var orientation: Int

    public init(width: Int, height: Int, layout: PixelLayout, format: ImageFormat, iccProfile: Data?, orientation: Int) {
        self.width = width
        self.height = height
        self.layout = layout
        self.format = format
        self.iccProfile = iccProfile
        self.orientation = orientation
    }
}
