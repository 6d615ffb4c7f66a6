/// Turning stored pixels upright, as EXIF/TIFF orientation 1…8 describes them (the same
/// transposes as `PIL.ImageOps.exif_transpose`).
extension Image {
    /// This image with `orientation` applied; orientations 5…8 swap width and height.
    func applyingOrientation(_ orientation: Int) -> Image {
        guard (2...8).contains(orientation) else { return self }
        let (outWidth, outHeight) = orientation >= 5 ? (height, width) : (width, height)
        let reordered: Samples
        switch samples {
        case .uint8(let values): reordered = .uint8(reoriented(values, orientation: orientation))
        case .uint16(let values): reordered = .uint16(reoriented(values, orientation: orientation))
        }
        return Image(checkedWidth: outWidth, height: outHeight, layout: layout, samples: reordered, iccProfile: iccProfile)
    }

    private func reoriented<T>(_ values: [T], orientation: Int) -> [T] {
        let channels = layout.channels
        let (outWidth, outHeight) = orientation >= 5 ? (height, width) : (width, height)
        var result = [T]()
        result.reserveCapacity(values.count)
        for y in 0..<outHeight {
            for x in 0..<outWidth {
                // The stored pixel that output pixel (x, y) shows.
                let (sx, sy): (Int, Int)
                switch orientation {
                case 2: (sx, sy) = (width - 1 - x, y)  // mirrored left-right
                case 3: (sx, sy) = (width - 1 - x, height - 1 - y)  // turned 180°
                case 4: (sx, sy) = (x, height - 1 - y)  // mirrored top-bottom
                case 5: (sx, sy) = (y, x)  // transposed
                case 6: (sx, sy) = (y, height - 1 - x)  // stored turned 90° anticlockwise
                case 7: (sx, sy) = (width - 1 - y, height - 1 - x)  // transversed
                default: (sx, sy) = (width - 1 - y, x)  // 8: stored turned 90° clockwise
                }
                let start = (sy * width + sx) * channels
                result.append(contentsOf: values[start..<start + channels])
            }
        }
        return result
    }
}
