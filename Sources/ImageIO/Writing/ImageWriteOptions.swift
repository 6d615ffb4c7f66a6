public import Foundation

/// How ``ImageWriter`` encodes; each format reads the options that concern it.
public struct ImageWriteOptions: Sendable, Hashable {
    /// TIFF compression; all are lossless.
    public enum TIFFCompression: String, Sendable, Hashable, CaseIterable {
        case none
        /// LZW with horizontal differencing.
        case lzw
        /// Deflate (zlib) with horizontal differencing.
        case deflate
    }

    /// JPEG quality, 1…100.
    public var jpegQuality: Int
    /// Progressive JPEG. libjpeg keeps the whole image's coefficients in memory until the end,
    /// about 2 bytes a sample, so streaming rows no longer bounds memory.
    public var progressiveJPEG: Bool
    /// Stored in the file (PNG iCCP, JPEG APP2 chunks, TIFF tag 34675, WebP ICCP chunk, AVIF colr box). libpng
    /// validates profiles and leaves out one it finds malformed; the others store the bytes as given.
    public var iccProfile: Data?
    /// Adam7-interlaced PNG. Every pass needs every row, so the writer keeps the image until
    /// ``ImageWriter/finish()`` and compresses it there on one thread (libpng's).
    public var pngInterlaced: Bool
    /// 256 × 256 tiles instead of strips; one row of tiles is kept in memory at a time.
    public var tiffTiled: Bool
    public var tiffCompression: TIFFCompression
    /// Write BigTIFF even when the image would fit a classic TIFF (which ImageWriter otherwise
    /// chooses automatically, by the size the file could reach).
    public var forceBigTIFF: Bool
    /// Lossy WebP quality, 0…100 (libwebp's scale; 90 keeps upscaled detail at about a tenth of
    /// a PNG's size).
    public var webpQuality: Int
    /// Lossless WebP (``webpQuality`` is then ignored); the colour of fully transparent pixels is
    /// kept too, so the file decodes to exactly the samples written.
    public var webpLossless: Bool
    /// Lossy AVIF quality, 0…100, mapped linearly onto AV1's quantizers (63…0); 80 keeps
    /// upscaled detail at a fraction of a PNG's size.
    public var avifQuality: Int
    /// Lossless AVIF (``avifQuality`` is then ignored): RGB through the identity matrix at
    /// quantizer 0, so 8-bit rows decode exactly (16-bit rows are stored as 10-bit either way).
    public var avifLossless: Bool

    public init(
        jpegQuality: Int = 92, progressiveJPEG: Bool = false, iccProfile: Data? = nil, pngInterlaced: Bool = false,
        tiffTiled: Bool = false, tiffCompression: TIFFCompression = .none, forceBigTIFF: Bool = false,
        webpQuality: Int = 90, webpLossless: Bool = false, avifQuality: Int = 80, avifLossless: Bool = false
    ) {
        self.jpegQuality = jpegQuality
        self.progressiveJPEG = progressiveJPEG
        self.iccProfile = iccProfile
        self.pngInterlaced = pngInterlaced
        self.tiffTiled = tiffTiled
        self.tiffCompression = tiffCompression
        self.forceBigTIFF = forceBigTIFF
        self.webpQuality = webpQuality
        self.webpLossless = webpLossless
        self.avifQuality = avifQuality
        self.avifLossless = avifLossless
    }
}
