public import Foundation

extension Image {
    /// Writes the whole image through ``ImageWriter`` (temporary file, then rename).
    ///
    /// - Parameters:
    ///   - format: nil to take it from `url`'s extension.
    ///   - options: when its `iccProfile` is nil, the image's own profile is stored.
    public func write(to url: URL, format: ImageFormat? = nil, options: ImageWriteOptions = .init()) throws(ImageIOError) {
        var options = options
        if options.iccProfile == nil { options.iccProfile = iccProfile }
        let writer = try ImageWriter(
            url: url, width: width, height: height, layout: layout, format: format, options: options)
        switch samples {
        case .uint8(let values): try writer.write(rows8: values, rowCount: height)
        case .uint16(let values): try writer.write(rows16: values, rowCount: height)
        }
        try writer.finish()
    }
}
