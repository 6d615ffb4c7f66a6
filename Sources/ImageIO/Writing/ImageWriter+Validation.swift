/// What an ImageWriter checks before creating a file, and the BigTIFF decision.
extension ImageWriter {
    /// JPEG's largest side (libjpeg's JPEG_MAX_DIMENSION).
    static let jpegMaximumSide = 65500
    /// WebP's largest side (14-bit sizes in its bitstreams).
    static let webpMaximumSide = 16383
    /// AVIF's largest side (AV1's 16-bit frame sizes).
    static let avifMaximumSide = 65536

    static func validate(
        format: ImageFormat, width: Int, height: Int, layout: PixelLayout, options: ImageWriteOptions, path: String
    ) throws(ImageIOError) {
        guard format.isWritable else {
            throw .unsupported(path: path, reason: "\(format.rawValue.uppercased()) is read only here; write png, jpg, tif, webp or avif")
        }
        guard layout.isSupported else {
            throw .unsupported(path: path, reason: "\(layout.channels) channels of \(layout.bitDepth) bits")
        }
        guard width > 0, height > 0, width <= Int(UInt32.max), height <= Int(UInt32.max) else {
            throw .invalidUse(path: path, reason: "size \(width)×\(height)")
        }
        switch format {
        case .jpeg: try validateJPEG(width: width, height: height, layout: layout, options: options, path: path)
        case .webp:
            try validateWholePicture(
                "WebP", maximumSide: webpMaximumSide, quality: options.webpQuality, width: width, height: height, path: path)
        case .avif:
            try validateWholePicture(
                "AVIF", maximumSide: avifMaximumSide, quality: options.avifQuality, width: width, height: height, path: path)
        case .png, .tiff, .heif, .jxl: break
        }
    }

    private static func validateJPEG(
        width: Int, height: Int, layout: PixelLayout, options: ImageWriteOptions, path: String
    ) throws(ImageIOError) {
        guard !layout.hasAlpha else {
            throw .unsupported(path: path, reason: "JPEG has no alpha channel; write PNG or TIFF to keep it")
        }
        guard width <= jpegMaximumSide, height <= jpegMaximumSide else {
            throw .unsupported(path: path, reason: "JPEG allows at most \(jpegMaximumSide) pixels a side")
        }
        guard (1...100).contains(options.jpegQuality) else {
            throw .invalidUse(path: path, reason: "JPEG quality \(options.jpegQuality) is outside 1…100")
        }
    }

    /// WebP and AVIF: a side limit from their bitstreams and a quality of 0…100.
    private static func validateWholePicture(
        _ name: String, maximumSide: Int, quality: Int, width: Int, height: Int, path: String
    ) throws(ImageIOError) {
        guard width <= maximumSide, height <= maximumSide else {
            throw .unsupported(
                path: path, reason: "\(name) allows at most \(maximumSide) pixels a side; write PNG or TIFF for \(width)×\(height)")
        }
        guard (0...100).contains(quality) else {
            throw .invalidUse(path: path, reason: "\(name) quality \(quality) is outside 0…100")
        }
    }

    /// Whether a TIFF of this image could pass 4 GiB, the limit of classic TIFF's 32-bit offsets.
    ///
    /// Decided before the first byte is written, from the samples' size with room for what
    /// compression can add to incompressible data (LZW's codes reach 12 bits a byte), the
    /// directory, strip tables and the ICC profile.
    static func needsBigTIFF(
        width: Int, height: Int, layout: PixelLayout, compression: ImageWriteOptions.TIFFCompression, iccBytes: Int
    ) -> Bool {
        let samples = Double(width) * Double(height) * Double(layout.channels * layout.bitDepth / 8)
        let growth: Double
        switch compression {
        case .none: growth = 1
        case .lzw: growth = 1.5
        case .deflate: growth = 1.01
        }
        let overhead = Double(height) * 16 + Double(iccBytes) + Double(1 << 20)
        return samples * growth + overhead > Double(UInt32.max)
    }
}
