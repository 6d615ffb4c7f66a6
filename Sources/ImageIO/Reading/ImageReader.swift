public import Foundation

/// Reads PNG, JPEG, TIFF, WebP, AVIF, HEIF (HEIC) and JPEG XL files, recognised by their first bytes
/// whatever their extension.
///
/// Every variant decodes to 1–4 interleaved channels of 8 or 16 bits: palettes expand to RGB or
/// RGBA, gray below 8 bits widens to 8, and the EXIF or TIFF orientation is applied so the pixels
/// are upright. Safe to call from any thread; each call opens its own file.
public enum ImageReader {
    /// The most pixels a header may claim before readers refuse the file, unless the caller
    /// raises it: one gigapixel, past a 20000×20000 scan (0.4), short of a 60000×60000 header on a
    /// few hundred bytes of PNG (3.6, about 11 GB decoded).
    public static let defaultMaxPixels = 1_000_000_000

    /// The header only: size (after orientation), layout, format, ICC profile and orientation.
    /// Cheap: no pixel is decoded. A PNG's EXIF block placed after its pixels is not seen here
    /// (``read(_:)`` sees it), so such a file reports orientation 1.
    public static func info(_ url: URL) throws(ImageIOError) -> ImageInfo {
        let format = try FileProbe.format(of: url)
        let decoder = try open(url, format: format, maxPixels: nil)
        let header = decoder.header
        let orientation = orientation(of: header)
        let swaps = orientation >= 5
        return ImageInfo(
            width: swaps ? header.height : header.width, height: swaps ? header.width : header.height,
            layout: header.layout, format: format, iccProfile: header.iccProfile, orientation: orientation)
    }

    /// Decodes the whole image, upright (orientation applied), with its ICC profile.
    /// - Throws: ``ImageIOError/tooManyPixels(path:width:height:limit:)`` when the header claims
    ///   more than `maxPixels` pixels, before anything is decoded; the other cases for files that
    ///   cannot be read.
    public static func read(_ url: URL, maxPixels: Int = defaultMaxPixels) throws(ImageIOError) -> Image {
        let format = try FileProbe.format(of: url)
        return try decodeWhole(try open(url, format: format, maxPixels: maxPixels), path: url.path)
    }

    /// Refuses `url` as ``read(_:maxPixels:)`` would when its header claims more than `maxPixels`
    /// pixels, reading the header alone, so that a batch can be checked before work starts.
    /// - Throws: ``ImageIOError/tooManyPixels(path:width:height:limit:)``, or the error of a file
    ///   whose header cannot be read.
    public static func checkPixelCount(_ url: URL, maxPixels: Int) throws(ImageIOError) {
        _ = try open(url, format: try FileProbe.format(of: url), maxPixels: maxPixels)
    }

    /// Decodes every pixel of an opened file and turns them upright.
    static func decodeWhole(_ decoder: Decoder, path: String) throws(ImageIOError) -> Image {
        let header = decoder.header
        // The pixel limit is the caller's choice; this one is the machine's.
        try checkFitsInMemory(header, path: path)
        let samples: Image.Samples
        do {
            samples = try decoder.decode()
        } catch {
            throw error.imageIOError(path: path)
        }
        let image = Image(
            checkedWidth: header.width, height: header.height, layout: header.layout, samples: samples,
            iccProfile: decoder.header.iccProfile)
        return image.applyingOrientation(orientation(of: decoder.header))
    }

    /// Opens the codec on `url` and reads its header, refusing a header that claims more than
    /// `maxPixels` pixels (no limit when nil) before any pixel is decoded.
    static func open(_ url: URL, format: ImageFormat, maxPixels: Int?) throws(ImageIOError) -> Decoder {
        let decoder: Decoder
        do {
            decoder = try Decoder(format: format, path: url.path)
        } catch {
            throw error.imageIOError(path: url.path)
        }
        let header = decoder.header
        guard header.width > 0, header.height > 0, header.layout.isSupported else {
            throw .corrupt(path: url.path, reason: "header gives \(header.width)×\(header.height) \(header.layout)")
        }
        if let maxPixels, header.width * header.height > maxPixels {
            throw .tooManyPixels(path: url.path, width: header.width, height: header.height, limit: maxPixels)
        }
        return decoder
    }

    /// A header can claim any size; refuse one whose samples could not fit in this machine's memory
    /// before allocating them.
    private static func checkFitsInMemory(_ header: Decoder.Header, path: String) throws(ImageIOError) {
        let bytes = Double(header.width) * Double(header.height) * Double(header.layout.channels)
            * Double(header.layout.bitDepth / 8)
        let memory = Double(ProcessInfo.processInfo.physicalMemory)
        guard bytes <= memory else {
            let gigabytes = String(format: "%.1f", bytes / 1e9)
            throw .unsupported(
                path: path, reason: "\(header.width)×\(header.height) needs \(gigabytes) GB, more than this machine's memory")
        }
    }

    /// The TIFF tag (or the AVIF, HEIF or JPEG XL orientation given as one) where there is one,
    /// else the EXIF block's, else 1.
    static func orientation(of header: Decoder.Header) -> Int {
        if (1...8).contains(header.orientationTag) { return header.orientationTag }
        return header.exif.flatMap(ExifOrientation.parse) ?? 1
    }
}

extension CodecFailure {
    /// The reading error for this failure, naming the file.
    func imageIOError(path: String) -> ImageIOError {
        switch kind {
        case .system, .memory: .unreadable(path: path, reason: message)
        case .truncated: .truncated(path: path, reason: message)
        case .corrupt, .library: .corrupt(path: path, reason: message)
        case .unsupported: .unsupported(path: path, reason: message)
        }
    }
}
