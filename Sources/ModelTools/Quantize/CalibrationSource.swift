public import Foundation

/// Where calibration inputs come from: real images through the model's own pre-processing, or
/// seeded random tensors.
public enum CalibrationSource: Sendable, Hashable, CustomStringConvertible {
    /// Every PNG, JPEG and TIFF image in a folder.
    case images(URL)
    /// `count` random inputs, uniform in the model's input range, seeded `0..<count`.
    case random(count: Int)

    /// Reads `random:N` or a folder path.
    /// - Throws: ``QuantizeError/noCalibrationData(_:)`` for `random:0`, a malformed count or a
    ///   path that is not a folder.
    public init(parsing text: String) throws(QuantizeError) {
        if text.hasPrefix("random:") {
            guard let count = Int(text.dropFirst("random:".count)), count > 0 else { throw .noCalibrationData(text) }
            self = .random(count: count)
            return
        }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: text, isDirectory: &isFolder), isFolder.boolValue else {
            throw .noCalibrationData(text)
        }
        self = .images(URL(fileURLWithPath: text))
    }

    /// `random:N` or the folder's path, for reports.
    public var description: String {
        switch self {
        case .images(let folder): folder.path
        case .random(let count): "random:\(count)"
        }
    }
}
