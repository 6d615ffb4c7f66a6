public import Foundation
public import ImageIO

extension Upscaler {
    /// Upscales `image`, an encoded PNG, JPEG, TIFF, WebP or AVIF held in memory, exactly as
    /// ``upscale(_:to:progress:onFailure:)`` upscales a file (it goes through that, via a folder
    /// of its own in `directory`, removed afterwards): the output is in the same format, PNG for
    /// AVIF, which is read only.
    /// - Throws: ``ImageIOError`` for an image that is not one of those formats, is damaged or
    ///   too large (its messages name the file `image.EXT` of that folder), or what the upscale throws.
    public func upscale(encoded image: Data, workingIn directory: URL) async throws -> (data: Data, format: ImageFormat) {
        let folder = directory.appendingPathComponent("tessera-image-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        guard let format = ImageFormat(signature: [UInt8](image.prefix(ImageFormat.signatureLength))) else {
            throw ImageIOError.unknownFormat(path: "image")
        }
        let output = format.isWritable ? format : .png
        let input = folder.appendingPathComponent("image.\(format.rawValue)")
        let target = folder.appendingPathComponent("upscaled.\(output.rawValue)")
        try image.write(to: input)
        _ = try await upscale(input, to: target)
        return (try Data(contentsOf: target), output)
    }
}
