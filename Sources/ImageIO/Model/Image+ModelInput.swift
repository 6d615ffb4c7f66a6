/// The image as a model's input planes.
extension Image {
    /// `count` planes (CHW) of the region for a model that takes `count` channels: the colour
    /// channels as they are; a grey image repeated into three; a colour image's Rec. 601 luma for
    /// a one-channel model. Alpha is never a model channel. The region may reach past the image
    /// (edge pixels repeat, as in ``plane(channel:x:y:width:height:)``).
    public func modelPlanes(count: Int, x: Int, y: Int, width: Int, height: Int) -> [Float] {
        let colour = layout.colorChannels
        if count == 1, colour >= 3 {
            let r = plane(channel: 0, x: x, y: y, width: width, height: height)
            let g = plane(channel: 1, x: x, y: y, width: width, height: height)
            let b = plane(channel: 2, x: x, y: y, width: width, height: height)
            return r.indices.map { 0.299 * r[$0] + 0.587 * g[$0] + 0.114 * b[$0] }
        }
        var values: [Float] = []
        values.reserveCapacity(count * width * height)
        for channel in 0..<count { values += plane(channel: min(channel, colour - 1), x: x, y: y, width: width, height: height) }
        return values
    }
}
