import CImageCodecs
import Foundation

/// One file being written by the C writer. Rows go straight to the codec, which writes them to
/// disk as it goes (or, for tiles, interlacing and the PNG bands its threads compress, keeps what
/// it must).
final class Encoder {
    private let writer: OpaquePointer

    /// Creates `path` and writes the header. `layout` is the stored layout (8-bit for JPEG and WebP).
    init(path: String, format: ImageFormat, width: Int, height: Int, layout: PixelLayout, options: ImageWriteOptions,
         bigTIFF: Bool) throws(CodecFailure)
    {
        var settings = ic_write_options()
        switch format {
        case .png: settings.format = IC_FORMAT_PNG
        case .jpeg: settings.format = IC_FORMAT_JPEG
        case .tiff: settings.format = IC_FORMAT_TIFF
        case .webp: settings.format = IC_FORMAT_WEBP
        case .avif: settings.format = IC_FORMAT_AVIF
        // Refused: ImageWriter checks isWritable first.
        case .heif: settings.format = IC_FORMAT_HEIF
        case .jxl: settings.format = IC_FORMAT_JXL
        }
        settings.width = UInt32(width)
        settings.height = UInt32(height)
        settings.channels = UInt32(layout.channels)
        settings.bit_depth = UInt32(layout.bitDepth)
        settings.jpeg_quality = Int32(options.jpegQuality)
        settings.jpeg_progressive = options.progressiveJPEG ? 1 : 0
        settings.png_interlaced = options.pngInterlaced ? 1 : 0
        settings.tiff_tiled = options.tiffTiled ? 1 : 0
        settings.tiff_big = bigTIFF ? 1 : 0
        settings.webp_lossless = options.webpLossless ? 1 : 0
        settings.webp_quality = Int32(options.webpQuality)
        settings.avif_lossless = options.avifLossless ? 1 : 0
        settings.avif_quality = Int32(options.avifQuality)
        switch options.tiffCompression {
        case .none: settings.tiff_compression = IC_TIFF_NONE
        case .lzw: settings.tiff_compression = IC_TIFF_LZW
        case .deflate: settings.tiff_compression = IC_TIFF_DEFLATE
        }
        var error = ic_error()
        let profile = options.iccProfile ?? Data()
        let opened = profile.withUnsafeBytes { bytes in
            settings.icc = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self)
            settings.icc_length = bytes.count
            return ic_writer_open(path, &settings, &error)
        }
        guard let opened else { throw CodecFailure(error) }
        writer = opened
    }

    /// Closes the file if ``finish()`` did not; the caller removes it.
    deinit { ic_writer_free(writer) }

    func write(_ samples: [UInt8], rowCount: Int) throws(CodecFailure) {
        var error = ic_error()
        let status = samples.withUnsafeBytes { ic_writer_write_rows(writer, $0.baseAddress, UInt32(rowCount), &error) }
        guard status == IC_OK else { throw CodecFailure(error) }
    }

    func write(_ samples: [UInt16], rowCount: Int) throws(CodecFailure) {
        var error = ic_error()
        let status = samples.withUnsafeBytes { ic_writer_write_rows(writer, $0.baseAddress, UInt32(rowCount), &error) }
        guard status == IC_OK else { throw CodecFailure(error) }
    }

    /// Completes and closes the file.
    func finish() throws(CodecFailure) {
        var error = ic_error()
        guard ic_writer_finish(writer, &error) == IC_OK else { throw CodecFailure(error) }
    }
}
