/// Finds the orientation tag (0x0112) in IFD0 of an EXIF block, the TIFF structure that a JPEG's
/// APP1 "Exif" segment and a PNG's eXIf chunk carry.
enum ExifOrientation {
    private static let orientationTag: UInt16 = 0x0112
    private static let shortType: UInt16 = 3

    /// The orientation, 1…8; nil when the block is malformed, lacks the tag, or holds another value.
    static func parse(_ exif: [UInt8]) -> Int? {
        guard exif.count >= 8 else { return nil }
        let bigEndian: Bool
        switch (exif[0], exif[1]) {
        case (0x4D, 0x4D): bigEndian = true
        case (0x49, 0x49): bigEndian = false
        default: return nil
        }
        func read(_ offset: Int, _ count: Int) -> Int? {
            guard offset >= 0, offset + count <= exif.count else { return nil }
            let bytes = exif[offset..<offset + count]
            return (bigEndian ? Array(bytes) : bytes.reversed()).reduce(0) { $0 << 8 | Int($1) }
        }
        guard read(2, 2) == 42, let directory = read(4, 4), let entries = read(directory, 2) else { return nil }
        for entry in 0..<entries {
            let start = directory + 2 + entry * 12
            guard let tag = read(start, 2), let type = read(start + 2, 2) else { return nil }
            guard tag == orientationTag else { continue }
            // A SHORT sits in the first two bytes of the value field, in the block's byte order.
            guard type == shortType, let value = read(start + 8, 2), (1...8).contains(value) else { return nil }
            return value
        }
        return nil
    }
}
