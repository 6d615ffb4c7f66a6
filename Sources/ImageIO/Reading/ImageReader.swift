public import Foundation

/// Reads PNG, JPEG and TIFF files, recognised by their first bytes whatever their extension.
///
/// Every variant decodes to 1–4 interleaved channels of 8 or 16 bits: palettes expand to RGB or
/// RGBA, gray below 8 bits widens to 8, and the EXIF or TIFF orientation is applied so the pixels
/// are upright. Safe to call from any thread; each call opens its own file.
public enum ImageReader {
    /// The header only: size (after orientation), layout, format, ICC profile and orientation.
    /// Cheap: no pixel is decoded. A PNG's EXIF block placed after its pixels is not seen here
    /// (``read(_:)`` sees it), so such a file reports orientation 1.
    public static func info(_ url: URL) throws(ImageIOError) -> ImageInfo {
        let format = try FileProbe.format(of: url)
        let decoder = try open(url, format: format)
        let header = decoder.header
        let orientation = orientation(of: header)
        let swaps = orientation >= 5
        return ImageInfo(
            width: swaps ? header.height : header.width, height: swaps ? header.width : header.height,
            layout: header.layout, format: format, iccProfile: header.iccProfile, orientation: orientation)
    }

    /// Decodes the whole image, upright (orientation applied), with its ICC profile.
    public static func read(_ url: URL) throws(ImageIOError) -> Image {
        let format = try FileProbe.format(of: url)
        let decoder = try open(url, format: format)
        let header = decoder.header
        try checkFitsInMemory(header, path: url.path)
        let samples: Image.Samples
        do {
            samples = try decoder.decode()
        } catch {
            throw error.imageIOError(path: url.path)
        }
        let image = Image(
            checkedWidth: header.width, height: header.height, layout: header.layout, samples: samples,
            iccProfile: decoder.header.iccProfile)
        return image.applyingOrientation(orientation(of: decoder.header))
    }

    private static func open(_ url: URL, format: ImageFormat) throws(ImageIOError) -> Decoder {
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

    /// The TIFF tag where there is one, else the EXIF block's, else 1.
    private static func orientation(of header: Decoder.Header) -> Int {
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
