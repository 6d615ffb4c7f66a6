public import Foundation

/// Streams an image to disk band by band, so the image is never whole in memory.
///
/// Rows arrive top to bottom in any band size; each band goes to the codec at once (PNG: rows
/// gathered into bands of about 256 KiB, each filtered and deflated on a worker thread, one per
/// core, while later rows arrive; libjpeg `jpeg_write_scanlines`; libtiff scanlines or one row of
/// tiles). WebP and AVIF are the exceptions: libwebp and AV1 encoders take whole pictures, so
/// their rows are kept until ``finish()`` (a WebP is at most 16383 × 16383 pixels).
/// The file is written under a hidden temporary name in the destination folder and appears under
/// its own name only when ``finish()`` succeeds; ``cancel()``, a failure, or releasing an
/// unfinished writer removes it.
///
/// ```swift
/// let writer = try ImageWriter(url: output, width: 8000, height: 6000, layout: .rgb8)
/// for band in bands { try writer.write(rows: band.values, rowCount: band.rows) }
/// try writer.finish()
/// ```
///
/// Not `Sendable`: it owns a C codec and a file and must be used by one task at a time.
/// JPEG has no alpha and only 8-bit samples: a layout with alpha is refused, and 16-bit rows
/// are rounded to 8 bits. WebP stores 8-bit RGB or RGBA: 16-bit rows are rounded, gray is
/// stored as RGB. AVIF stores RGB or RGBA too (gray widened), 8-bit rows as 8-bit samples and
/// 16-bit rows as 10-bit ones. HEIF and JPEG XL are read only.
public final class ImageWriter {
    public let url: URL
    public let width: Int
    public let height: Int
    /// The layout the caller supplies rows in.
    public let layout: PixelLayout
    public let format: ImageFormat
    /// Rows received so far.
    public private(set) var rowsWritten = 0

    private enum State { case open, finished, abandoned }

    private let temporaryURL: URL
    /// The bit depth of the rows the codec takes: the layout's, except JPEG's and WebP's 8.
    private let storedBitDepth: Int
    private var encoder: Encoder?
    private var state = State.open

    /// Creates the temporary file and writes the header.
    ///
    /// - Parameter format: nil to take it from `url`'s extension.
    public init(
        url: URL, width: Int, height: Int, layout: PixelLayout, format: ImageFormat? = nil,
        options: ImageWriteOptions = .init()
    ) throws(ImageIOError) {
        let path = url.path
        guard let format = format ?? ImageFormat(pathExtension: url.pathExtension) else {
            throw .unsupported(
                path: path, reason: "no image format for the extension '\(url.pathExtension)' (png, jpg, tif, webp, avif)")
        }
        try Self.validate(format: format, width: width, height: height, layout: layout, options: options, path: path)
        let folder = url.deletingLastPathComponent()
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder), isFolder.boolValue else {
            throw .cannotCreate(path: path, reason: "the folder \(folder.path) does not exist")
        }
        self.url = url
        self.width = width
        self.height = height
        self.layout = layout
        self.format = format
        storedBitDepth = format.holds16Bit ? layout.bitDepth : 8
        temporaryURL = folder.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString.prefix(8)).partial")
        let bigTIFF =
            format == .tiff
            && (options.forceBigTIFF
                || Self.needsBigTIFF(
                    width: width, height: height, layout: layout, compression: options.tiffCompression,
                    iccBytes: options.iccProfile?.count ?? 0))
        do {
            encoder = try Encoder(
                path: temporaryURL.path, format: format, width: width, height: height,
                layout: PixelLayout(channels: layout.channels, bitDepth: storedBitDepth), options: options,
                bigTIFF: bigTIFF)
        } catch {
            try? FileManager.default.removeItem(at: temporaryURL)
            switch error.kind {
            case .system: throw .cannotCreate(path: path, reason: error.message)
            case .unsupported: throw .unsupported(path: path, reason: error.message)
            default: throw .writeFailed(path: path, reason: error.message)
            }
        }
    }

    deinit { cancel() }

    /// Appends `rowCount` full rows of interleaved floats in [0, 1]; values outside are clamped
    /// and the rest rounded to the file's bit depth.
    public func write(rows values: [Float], rowCount: Int) throws(ImageIOError) {
        try checkRows(values.count, rowCount)
        if storedBitDepth == 8 {
            try send(SampleQuantization.to8(values), rowCount)
        } else {
            try send(SampleQuantization.to16(values), rowCount)
        }
    }

    /// Appends `rowCount` full rows of 8-bit samples; the layout must be 8-bit.
    public func write(rows8 samples: [UInt8], rowCount: Int) throws(ImageIOError) {
        guard layout.bitDepth == 8 else { throw .invalidUse(path: url.path, reason: "8-bit rows for a 16-bit layout") }
        try checkRows(samples.count, rowCount)
        try send(samples, rowCount)
    }

    /// Appends `rowCount` full rows of 16-bit samples; the layout must be 16-bit.
    public func write(rows16 samples: [UInt16], rowCount: Int) throws(ImageIOError) {
        guard layout.bitDepth == 16 else { throw .invalidUse(path: url.path, reason: "16-bit rows for an 8-bit layout") }
        try checkRows(samples.count, rowCount)
        if storedBitDepth == 8 {
            try send(SampleQuantization.reduced(samples), rowCount)
        } else {
            try send(samples, rowCount)
        }
    }

    /// Completes the file and moves it to ``url``, replacing any file there. Every row must have
    /// been written.
    public func finish() throws(ImageIOError) {
        let path = url.path
        guard state == .open, let encoder else { throw .invalidUse(path: path, reason: "the writer is already closed") }
        guard rowsWritten == height else {
            throw .invalidUse(path: path, reason: "finish after \(rowsWritten) of \(height) rows")
        }
        do {
            try encoder.finish()
        } catch {
            abandon()
            throw .writeFailed(path: path, reason: error.message)
        }
        self.encoder = nil
        do {
            try FileMove.replace(url, with: temporaryURL)
        } catch {
            abandon()
            throw .writeFailed(path: path, reason: "cannot move the finished file into place: \(error.message)")
        }
        state = .finished
    }

    /// Stops writing and removes the temporary file; nothing appears at ``url``. Does nothing
    /// after ``finish()``.
    public func cancel() {
        guard state == .open else { return }
        abandon()
    }

    private func abandon() {
        encoder = nil  // closes the file before it is removed
        try? FileManager.default.removeItem(at: temporaryURL)
        state = .abandoned
    }

    private func checkRows(_ sampleCount: Int, _ rowCount: Int) throws(ImageIOError) {
        let path = url.path
        guard state == .open else { throw .invalidUse(path: path, reason: "the writer is already closed") }
        guard rowCount > 0, rowCount <= height - rowsWritten else {
            throw .invalidUse(path: path, reason: "\(rowCount) rows after \(rowsWritten) of \(height)")
        }
        guard sampleCount == rowCount * width * layout.channels else {
            throw .invalidUse(
                path: path, reason: "\(sampleCount) samples for \(rowCount) rows of \(width) \(layout) pixels")
        }
    }

    private func send(_ samples: [UInt8], _ rowCount: Int) throws(ImageIOError) {
        try send(rowCount) { encoder throws(CodecFailure) in try encoder.write(samples, rowCount: rowCount) }
    }

    private func send(_ samples: [UInt16], _ rowCount: Int) throws(ImageIOError) {
        try send(rowCount) { encoder throws(CodecFailure) in try encoder.write(samples, rowCount: rowCount) }
    }

    /// Hands rows to the encoder; a codec failure abandons the file.
    private func send(_ rowCount: Int, _ body: (Encoder) throws(CodecFailure) -> Void) throws(ImageIOError) {
        guard let encoder else { throw .invalidUse(path: url.path, reason: "the writer is already closed") }
        do {
            try body(encoder)
        } catch {
            abandon()
            throw .writeFailed(path: url.path, reason: error.message)
        }
        rowsWritten += rowCount
    }
}

@available(*, unavailable, message: "ImageWriter owns a codec and a file; use it from one task")
extension ImageWriter: Sendable {}
