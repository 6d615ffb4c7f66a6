/// The file formats ImageIO reads and writes.
public enum ImageFormat: String, Sendable, CaseIterable {
    case png
    case jpeg
    case tiff
    case webp
    case avif
    /// HEIC and other HEIF images; read only.
    case heif
    /// JPEG XL; read only.
    case jxl

    /// The format for a file extension (`png`, `jpg`, `jpeg`, `tif`, `tiff`, `webp`, `avif`, `heic`,
    /// `heif`, `jxl`; any case, with or without the dot); nil for any other.
    public init?(pathExtension: String) {
        let lowered = pathExtension.lowercased()
        switch lowered.hasPrefix(".") ? String(lowered.dropFirst()) : lowered {
        case "png": self = .png
        case "jpg", "jpeg": self = .jpeg
        case "tif", "tiff": self = .tiff
        case "webp": self = .webp
        case "avif": self = .avif
        case "heic", "heif": self = .heif
        case "jxl": self = .jxl
        default: return nil
        }
    }

    /// Whether the writer takes 16-bit rows: PNG and TIFF store them, AVIF as 10-bit samples; the
    /// others take 8 (16-bit rows are rounded).
    public var holds16Bit: Bool { self == .png || self == .tiff || self == .avif }

    /// The media type HTTP names the format by (`image/png`, …).
    public var mediaType: String { "image/\(rawValue)" }

    /// Whether ``ImageWriter`` writes the format (HEIF and JPEG XL are read only).
    public var isWritable: Bool { self != .heif && self != .jxl }

    /// The first bytes of each format: PNG's signature, JPEG's start-of-image marker and the next
    /// marker's 0xFF, TIFF's byte-order mark followed by 42 (classic) or 43 (BigTIFF), WebP's
    /// "RIFF", any 32-bit size (nil: any byte), "WEBP"; AVIF's box size, "ftyp" and brand "avif"
    /// (still) or "avis" (sequence); HEIF's box size, "ftyp" and a HEVC brand ("heic", "heix",
    /// "heim", "heis", "hevc", "hevx", "hevm", "hevs") or the structural "mif1"/"msf1" (which
    /// libheif reads whatever the codec); JPEG XL's bare codestream (FF 0A) or its container's
    /// "JXL " signature box.
    private static let signatures: [(format: ImageFormat, bytes: [UInt8?])] = [
        (.png, [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]),
        (.jpeg, [0xFF, 0xD8, 0xFF]),
        (.tiff, [0x49, 0x49, 0x2A, 0x00]), (.tiff, [0x4D, 0x4D, 0x00, 0x2A]),
        (.tiff, [0x49, 0x49, 0x2B, 0x00]), (.tiff, [0x4D, 0x4D, 0x00, 0x2B]),
        (.webp, [0x52, 0x49, 0x46, 0x46, nil, nil, nil, nil, 0x57, 0x45, 0x42, 0x50]),
        (.avif, [nil, nil, nil, nil, 0x66, 0x74, 0x79, 0x70, 0x61, 0x76, 0x69, 0x66]),
        (.avif, [nil, nil, nil, nil, 0x66, 0x74, 0x79, 0x70, 0x61, 0x76, 0x69, 0x73]),
    ] + heifBrands.map { (.heif, [nil, nil, nil, nil, 0x66, 0x74, 0x79, 0x70] + $0.utf8.map(Optional.some)) } + [
        (.jxl, [0xFF, 0x0A]),
        (.jxl, [0x00, 0x00, 0x00, 0x0C, 0x4A, 0x58, 0x4C, 0x20, 0x0D, 0x0A, 0x87, 0x0A]),
    ]

    /// The major brands of HEIF files this reader takes (see ``signatures``).
    private static let heifBrands = ["heic", "heix", "heim", "heis", "hevc", "hevx", "hevm", "hevs", "mif1", "msf1"]

    /// Whether `bytes` begins with `signature`.
    private static func matches(_ bytes: [UInt8], _ signature: [UInt8?]) -> Bool {
        bytes.count >= signature.count
            && zip(bytes, signature).allSatisfy { byte, expected in expected.map { $0 == byte } ?? true }
    }

    /// The longest signature: how many bytes to read to recognise a file.
    public static let signatureLength = signatures.map(\.bytes.count).max() ?? 0

    /// The format whose signature begins `bytes`; nil when none does.
    public init?(signature bytes: [UInt8]) {
        guard let match = Self.signatures.first(where: { Self.matches(bytes, $0.bytes) }) else { return nil }
        self = match.format
    }

    /// Whether `bytes`, the whole of a file shorter than a signature, is the start of one: such a
    /// file is truncated rather than of an unknown format.
    static func isSignaturePrefix(_ bytes: [UInt8]) -> Bool {
        !bytes.isEmpty
            && signatures.contains { $0.bytes.count > bytes.count && matches(bytes, Array($0.bytes.prefix(bytes.count))) }
    }
}
