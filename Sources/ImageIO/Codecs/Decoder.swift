import CImageCodecs
import Foundation

/// One file open in the C reader, from its header to its decoded samples.
final class Decoder {
    /// The header's facts, copied out of the shim.
    struct Header {
        var width: Int
        var height: Int
        var layout: PixelLayout
        /// TIFF's orientation tag (or AVIF's, JPEG XL's or HEIF's as one); 0 where the format keeps
        /// orientation in EXIF.
        var orientationTag: Int
        var iccProfile: Data?
        var exif: [UInt8]?
    }

    private let reader: OpaquePointer
    private var info = ic_info()
    private(set) var header: Header

    init(format: ImageFormat, path: String) throws(CodecFailure) {
        var error = ic_error()
        let codec: ic_format
        switch format {
        case .png: codec = IC_FORMAT_PNG
        case .jpeg: codec = IC_FORMAT_JPEG
        case .tiff: codec = IC_FORMAT_TIFF
        case .webp: codec = IC_FORMAT_WEBP
        case .avif: codec = IC_FORMAT_AVIF
        case .heif: codec = IC_FORMAT_HEIF
        case .jxl: codec = IC_FORMAT_JXL
        }
        guard let reader = ic_reader_open(codec, path, &info, &error) else { throw CodecFailure(error) }
        self.reader = reader
        header = Header(
            width: Int(info.width), height: Int(info.height),
            layout: PixelLayout(channels: Int(info.channels), bitDepth: Int(info.bit_depth)), orientationTag: 0)
        copyMetadata()
    }

    deinit { ic_reader_close(reader) }

    /// Decodes every pixel; the header's EXIF may change (a PNG can carry it after the pixels).
    func decode() throws(CodecFailure) -> Image.Samples {
        let count = header.width * header.height * header.layout.channels
        var error = ic_error()
        var status = IC_OK
        let samples: Image.Samples
        if header.layout.bitDepth == 16 {
            var values = [UInt16](repeating: 0, count: count)
            values.withUnsafeMutableBytes { status = ic_reader_decode(reader, $0.baseAddress, $0.count, &info, &error) }
            samples = .uint16(values)
        } else {
            var values = [UInt8](repeating: 0, count: count)
            values.withUnsafeMutableBytes { status = ic_reader_decode(reader, $0.baseAddress, $0.count, &info, &error) }
            samples = .uint8(values)
        }
        guard status == IC_OK else { throw CodecFailure(error) }
        copyMetadata()
        return samples
    }

    /// Whether ``readRows(_:columns:)`` works for this file (see `ic_reader_streams`).
    var streams: Bool { ic_reader_streams(reader) != 0 }

    /// Decodes the next `count` rows, keeping `columns` of each; an empty range decodes and drops them.
    func readRows(_ count: Int, columns: Range<Int>) throws(CodecFailure) -> Image.Samples {
        let samples = count * columns.count * header.layout.channels
        var error = ic_error()
        var status = IC_OK
        func read(into bytes: UnsafeMutableRawBufferPointer) {
            status = ic_reader_read_rows(
                reader, bytes.baseAddress, UInt32(count), UInt32(columns.lowerBound), UInt32(columns.count), &error)
        }
        let result: Image.Samples
        if header.layout.bitDepth == 16 {
            var values = [UInt16](repeating: 0, count: samples)
            values.withUnsafeMutableBytes(read)
            result = .uint16(values)
        } else {
            var values = [UInt8](repeating: 0, count: samples)
            values.withUnsafeMutableBytes(read)
            result = .uint8(values)
        }
        guard status == IC_OK else { throw CodecFailure(error) }
        return result
    }

    private func copyMetadata() {
        header.orientationTag = Int(info.orientation)
        if let icc = info.icc, info.icc_length > 0 { header.iccProfile = Data(bytes: icc, count: info.icc_length) }
        if let exif = info.exif, info.exif_length > 0 {
            header.exif = Array(UnsafeBufferPointer(start: exif, count: info.exif_length))
        }
    }
}
