/// How many interleaved channels a pixel has and how many bits each sample holds.
public struct PixelLayout: Hashable, Sendable, CustomStringConvertible {
    /// 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA.
    public var channels: Int
    /// 8 or 16.
    public var bitDepth: Int

    /// Any values; readers and writers check ``isSupported`` and refuse other layouts with an error.
    public init(channels: Int, bitDepth: Int) {
        self.channels = channels
        self.bitDepth = bitDepth
    }

    // The eight layouts ImageIO reads and writes.
    public static let gray8 = PixelLayout(channels: 1, bitDepth: 8)
    public static let grayAlpha8 = PixelLayout(channels: 2, bitDepth: 8)
    public static let rgb8 = PixelLayout(channels: 3, bitDepth: 8)
    public static let rgba8 = PixelLayout(channels: 4, bitDepth: 8)
    public static let gray16 = PixelLayout(channels: 1, bitDepth: 16)
    public static let grayAlpha16 = PixelLayout(channels: 2, bitDepth: 16)
    public static let rgb16 = PixelLayout(channels: 3, bitDepth: 16)
    public static let rgba16 = PixelLayout(channels: 4, bitDepth: 16)

    /// The last channel is alpha (gray+alpha and RGBA).
    public var hasAlpha: Bool { channels == 2 || channels == 4 }

    /// The channels without alpha: 1 (gray) or 3 (RGB).
    public var colorChannels: Int { hasAlpha ? channels - 1 : channels }

    /// The largest sample value: 255 or 65535.
    public var maximumSample: Int { (1 << bitDepth) - 1 }

    /// Whether ImageIO can hold this layout: 1…4 channels of 8 or 16 bits.
    public var isSupported: Bool { (1...4).contains(channels) && (bitDepth == 8 || bitDepth == 16) }

    /// "RGBA 16-bit", "gray 8-bit", …
    public var description: String {
        let names = [1: "gray", 2: "gray+alpha", 3: "RGB", 4: "RGBA"]
        return "\(names[channels] ?? "\(channels)-channel") \(bitDepth)-bit"
    }
}
