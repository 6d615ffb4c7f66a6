import ImageIO
import Testing

@Suite("Image formats")
struct ImageFormatTests {
    @Test("Extensions name formats, case-insensitively")
    func extensions() {
        #expect(ImageFormat(pathExtension: "PNG") == .png)
        #expect(ImageFormat(pathExtension: "jpg") == .jpeg)
        #expect(ImageFormat(pathExtension: ".JPEG") == .jpeg)
        #expect(ImageFormat(pathExtension: "Tif") == .tiff)
        #expect(ImageFormat(pathExtension: "tiff") == .tiff)
        #expect(ImageFormat(pathExtension: "WebP") == .webp)
        #expect(ImageFormat(pathExtension: "avif") == .avif)
        #expect(ImageFormat(pathExtension: "HEIC") == .heif)
        #expect(ImageFormat(pathExtension: "heif") == .heif)
        #expect(ImageFormat(pathExtension: ".jxl") == .jxl)
        #expect(ImageFormat(pathExtension: "gif") == nil)
        #expect(ImageFormat.allCases.filter { !$0.isWritable } == [.heif, .jxl])
        #expect(ImageFormat(pathExtension: "") == nil)
    }
}
