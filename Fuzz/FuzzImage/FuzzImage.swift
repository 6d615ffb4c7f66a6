import Foundation
import FuzzSupport
import ImageIO

private let scratch = ScratchFolder("image")
/// The pixel limit a caller may set: a header past it is refused before anything is allocated.
/// 256 × 256 keeps every seed and keeps mutants fast (a corrupt header's size is decoded in full,
/// and a megapixel of it costs about 10 ms), so that a run explores headers, not pixels.
private let maxPixels = 1 << 16

/// PNG, JPEG, TIFF, WebP, AVIF, HEIF and JPEG XL headers and pixels through Tessera's readers: the format sniffing, the C
/// wrappers' setjmp and libtiff handlers, EXIF orientation, the whole-image and the streaming
/// reader. Any bytes must end in an image or an `ImageIOError`, and the decoded size must be the
/// one the header announced (turned a quarter by an orientation found only after the pixels, as a
/// PNG's late EXIF chunk can be).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzImage(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let file = scratch.write(Data(bytes: data, count: size), to: "image")
    guard let info = try? ImageReader.info(file) else { return 0 }
    if let image = try? ImageReader.read(file, maxPixels: maxPixels) {
        let announced = [info.width, info.height]
        guard [image.width, image.height] == announced || [image.height, image.width] == announced else {
            fatalError("info says \(info.width)×\(info.height), read gives \(image.width)×\(image.height)")
        }
    }
    guard let rows = try? ImageRowReader(file, maxPixels: maxPixels) else { return 0 }
    let columns = 0..<min(rows.info.width, 7)
    while rows.nextRow < rows.info.height {
        let count = min(5, rows.info.height - rows.nextRow)
        guard (try? rows.read(rows: count, columns: columns)) != nil else { break }
    }
    return 0
}
