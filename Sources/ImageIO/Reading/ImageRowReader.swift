public import Foundation

/// Reads an image file from the top a band of rows at a time, so that a large image need never
/// sit whole in memory. Rows come upright, in the layout ``ImageReader/read(_:maxPixels:)`` gives.
///
/// These files stream, their rows decoded as they are read with one row held besides those
/// returned: non-interlaced PNG; JPEG, progressive too (though libjpeg then keeps the whole
/// image's coefficients, about as much memory as its pixels); striped TIFF with interleaved
/// samples (or one) and no JPEG compression. Any other file is decoded whole when the reader
/// opens, as `read` does, and its rows handed out from memory: interlaced PNG, a PNG whose EXIF
/// chunk follows its pixels, tiled, planar or JPEG-compressed TIFF, WebP and AVIF (their
/// libraries decode whole pictures), and any image whose EXIF or
/// TIFF orientation is not 1 (turning or flipping needs every row). ``isStreaming`` tells which.
///
/// ```swift
/// let reader = try ImageRowReader(URL(fileURLWithPath: "scan.png"))
/// try reader.skip(rows: 1000)
/// let band = try reader.read(rows: 64, columns: 200..<712)  // 512 × 64 pixels
/// ```
///
/// Not thread-safe: one owner reads it.
public final class ImageRowReader {
    public let url: URL
    /// The header's facts, upright: the size and layout of the rows to come.
    public let info: ImageInfo
    /// The pixel limit the file was checked against.
    public let maxPixels: Int
    /// Whether rows are decoded as they are read (otherwise the image was decoded whole on opening).
    public let isStreaming: Bool
    /// The rows read or skipped so far: the next row's index.
    public private(set) var nextRow = 0
    private let decoder: Decoder
    /// The decoded image, where the file does not stream.
    private let whole: Image?

    /// Opens `url` and reads its header, or, for a file that cannot stream, decodes it whole.
    /// - Throws: ``ImageIOError/tooManyPixels(path:width:height:limit:)`` when the header claims
    ///   more than `maxPixels` pixels, before anything is decoded; the other cases for files that
    ///   cannot be read.
    public init(_ url: URL, maxPixels: Int = ImageReader.defaultMaxPixels) throws(ImageIOError) {
        let format = try FileProbe.format(of: url)
        let decoder = try ImageReader.open(url, format: format, maxPixels: maxPixels)
        let header = decoder.header
        if ImageReader.orientation(of: header) == 1, decoder.streams {
            whole = nil
            info = ImageInfo(
                width: header.width, height: header.height, layout: header.layout, format: format,
                iccProfile: header.iccProfile, orientation: 1)
        } else {
            let image = try ImageReader.decodeWhole(decoder, path: url.path)
            whole = image
            // Decoding may have found a PNG's EXIF after the pixels, so the orientation is read again.
            info = ImageInfo(
                width: image.width, height: image.height, layout: image.layout, format: format,
                iccProfile: image.iccProfile, orientation: ImageReader.orientation(of: decoder.header))
        }
        self.url = url
        self.maxPixels = maxPixels
        self.decoder = decoder
        isStreaming = whole == nil
    }

    /// The next `count` rows, only `columns` of them (every column by default), as an image
    /// `columns.count` pixels wide with the file's ICC profile.
    /// - Throws: the file's decoding error; ``ImageIOError/invalidUse(path:reason:)`` for rows
    ///   past the bottom, or columns outside the image. After a decoding error every read fails.
    public func read(rows count: Int, columns: Range<Int>? = nil) throws(ImageIOError) -> Image {
        let columns = columns ?? 0..<info.width
        try checkRows(count)
        guard !columns.isEmpty, columns.lowerBound >= 0, columns.upperBound <= info.width else {
            throw .invalidUse(path: url.path, reason: "columns \(columns) are not within the image's \(info.width)")
        }
        let samples: Image.Samples
        if let whole {
            samples = Self.crop(whole, rows: nextRow..<nextRow + count, columns: columns)
        } else {
            do {
                samples = try decoder.readRows(count, columns: columns)
            } catch {
                throw error.imageIOError(path: url.path)
            }
        }
        nextRow += count
        return Image(
            checkedWidth: columns.count, height: count, layout: info.layout, samples: samples, iccProfile: info.iccProfile)
    }

    /// Decodes and drops the next `count` rows (rows above a region of interest).
    /// - Throws: as ``read(rows:columns:)``.
    public func skip(rows count: Int) throws(ImageIOError) {
        try checkRows(count)
        if whole == nil {
            do {
                _ = try decoder.readRows(count, columns: 0..<0)
            } catch {
                throw error.imageIOError(path: url.path)
            }
        }
        nextRow += count
    }

    private func checkRows(_ count: Int) throws(ImageIOError) {
        guard count >= 1, count <= info.height - nextRow else {
            throw .invalidUse(path: url.path, reason: "rows \(nextRow)..<\(nextRow + count) are not within the image's \(info.height)")
        }
    }

    /// The samples of `rows` × `columns` of an image in memory.
    private static func crop(_ image: Image, rows: Range<Int>, columns: Range<Int>) -> Image.Samples {
        func copy<Sample>(_ values: [Sample]) -> [Sample] {
            let channels = image.layout.channels
            var result: [Sample] = []
            result.reserveCapacity(rows.count * columns.count * channels)
            for row in rows {
                let start = (row * image.width + columns.lowerBound) * channels
                result += values[start..<start + columns.count * channels]
            }
            return result
        }
        switch image.samples {
        case .uint8(let values): return .uint8(copy(values))
        case .uint16(let values): return .uint16(copy(values))
        }
    }
}
