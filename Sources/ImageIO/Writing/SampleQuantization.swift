import CImageCodecs

/// Float samples to integers: clamped to [0, 1] (model outputs overshoot it; NaN becomes 0),
/// scaled to the largest value and rounded to nearest, halves up. The float loops are C's
/// (`ic_samples_to_8`), which vectorise.
enum SampleQuantization {
    static func to8(_ values: [Float]) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: values.count) { samples, initialized in
            values.withUnsafeBufferPointer { ic_samples_to_8($0.baseAddress, samples.baseAddress, values.count) }
            initialized = values.count
        }
    }

    static func to16(_ values: [Float]) -> [UInt16] {
        [UInt16](unsafeUninitializedCapacity: values.count) { samples, initialized in
            values.withUnsafeBufferPointer { ic_samples_to_16($0.baseAddress, samples.baseAddress, values.count) }
            initialized = values.count
        }
    }

    /// 16-bit samples to 8 bits, rounding v × 255 / 65535 to nearest.
    static func reduced(_ values: [UInt16]) -> [UInt8] {
        values.map { UInt8((UInt32($0) * 255 + 32767) / 65535) }
    }
}
