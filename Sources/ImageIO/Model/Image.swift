public import Foundation

/// A decoded image in memory: interleaved samples, top row first, 8-bit samples stored as
/// `UInt8` and 16-bit ones as `UInt16`.
///
/// ```swift
/// let image = try ImageReader.read(URL(fileURLWithPath: "photo.jpg"))
/// let red = image.plane(channel: 0, x: -8, y: -8, width: 128, height: 128)  // edge-clamped tile
/// ```
public struct Image: Sendable, Hashable {
    /// The samples, in the width of the layout's bit depth.
    public enum Samples: Sendable, Hashable {
        case uint8([UInt8])
        case uint16([UInt16])

        /// width × height × channels.
        public var count: Int {
            switch self {
            case .uint8(let values): values.count
            case .uint16(let values): values.count
            }
        }
    }

    /// Why samples do not make an image.
    public struct LayoutError: Error, CustomStringConvertible, Equatable, Sendable {
        public var reason: String
        public var description: String { "not a valid image: \(reason)" }
    }

    public let width: Int
    public let height: Int
    public let layout: PixelLayout
    public let samples: Samples
    /// The ICC profile the pixels are in; writers store it unless their options name another.
    public var iccProfile: Data?

    /// An 8-bit image from width × height × channels interleaved samples.
    public init(width: Int, height: Int, layout: PixelLayout, samples8: [UInt8], iccProfile: Data? = nil)
        throws(LayoutError)
    {
        try self.init(width: width, height: height, layout: layout, samples: .uint8(samples8), iccProfile: iccProfile)
    }

    /// A 16-bit image from width × height × channels interleaved samples.
    public init(width: Int, height: Int, layout: PixelLayout, samples16: [UInt16], iccProfile: Data? = nil)
        throws(LayoutError)
    {
        try self.init(width: width, height: height, layout: layout, samples: .uint16(samples16), iccProfile: iccProfile)
    }

    /// Checks that the samples' type matches the bit depth and their count the size.
    public init(width: Int, height: Int, layout: PixelLayout, samples: Samples, iccProfile: Data? = nil)
        throws(LayoutError)
    {
        guard layout.isSupported else { throw LayoutError(reason: "\(layout.channels) channels of \(layout.bitDepth) bits") }
        guard width > 0, height > 0 else { throw LayoutError(reason: "size \(width)×\(height)") }
        let (product, overflow) = width.multipliedReportingOverflow(by: height * layout.channels)
        guard !overflow, product == samples.count else {
            throw LayoutError(reason: "\(samples.count) samples for \(width)×\(height) \(layout)")
        }
        switch (samples, layout.bitDepth) {
        case (.uint8, 8), (.uint16, 16): break
        default: throw LayoutError(reason: "sample type does not match the \(layout.bitDepth)-bit layout")
        }
        self.init(checkedWidth: width, height: height, layout: layout, samples: samples, iccProfile: iccProfile)
    }

    /// For callers that built the samples to fit (decoders, reorientation).
    init(checkedWidth width: Int, height: Int, layout: PixelLayout, samples: Samples, iccProfile: Data?) {
        self.width = width
        self.height = height
        self.layout = layout
        self.samples = samples
        self.iccProfile = iccProfile
    }
}
