/// Why a file could not be read or written; every case names the file.
public enum ImageIOError: Error, CustomStringConvertible, Equatable, Sendable {
    case fileNotFound(path: String)
    /// The file exists but cannot be opened or read (permissions, a folder, an I/O error).
    case unreadable(path: String, reason: String)
    case emptyFile(path: String)
    /// The first bytes match no supported format, whatever the extension says.
    case unknownFormat(path: String)
    /// The file ends before its data does.
    case truncated(path: String, reason: String)
    /// The codec found the data malformed.
    case corrupt(path: String, reason: String)
    /// A valid file or request that ImageIO does not handle (CMYK JPEG, float TIFF, JPEG with alpha, …).
    case unsupported(path: String, reason: String)
    /// The output file could not be created: a missing or unwritable folder.
    case cannotCreate(path: String, reason: String)
    /// Writing failed part-way: a full disk, an I/O error, or the codec refusing; no file is left.
    case writeFailed(path: String, reason: String)
    /// The writer was used against its contract: wrong sample counts, rows past the height,
    /// finishing early, or a call after ``ImageWriter/finish()`` or ``ImageWriter/cancel()``;
    /// or an ``ImageRowReader`` was asked for rows past the bottom or columns outside the image.
    case invalidUse(path: String, reason: String)
    /// The header claims more pixels than the reader's limit (``ImageReader/defaultMaxPixels``
    /// unless raised): a decompression bomb, or a file too large to trust. Nothing was decoded.
    case tooManyPixels(path: String, width: Int, height: Int, limit: Int)

    /// The file the error is about.
    public var path: String {
        switch self {
        case .fileNotFound(let path), .emptyFile(let path), .unknownFormat(let path): path
        case .tooManyPixels(let path, _, _, _): path
        case .unreadable(let path, _), .truncated(let path, _), .corrupt(let path, _), .unsupported(let path, _),
            .cannotCreate(let path, _), .writeFailed(let path, _), .invalidUse(let path, _):
            path
        }
    }

    public var description: String {
        switch self {
        case .fileNotFound(let path): "\(path): no such file"
        case .unreadable(let path, let reason): "\(path): cannot read the file: \(reason)"
        case .emptyFile(let path): "\(path): the file is empty"
        case .unknownFormat(let path): "\(path): not a PNG, JPEG, TIFF, WebP or AVIF file (unrecognised first bytes)"
        case .truncated(let path, let reason): "\(path): the file is truncated: \(reason)"
        case .corrupt(let path, let reason): "\(path): corrupt image data: \(reason)"
        case .unsupported(let path, let reason): "\(path): unsupported: \(reason)"
        case .cannotCreate(let path, let reason): "\(path): cannot create the file: \(reason)"
        case .writeFailed(let path, let reason): "\(path): writing failed: \(reason)"
        case .invalidUse(let path, let reason): "\(path): \(reason)"
        case .tooManyPixels(let path, let width, let height, let limit):
            "\(path): the header claims \(width)×\(height) = \(width * height) pixels, more than the limit of \(limit); "
                + "if the file is trusted, raise the limit (tessera upscale --max-pixels, or maxPixels in the library)"
        }
    }
}
