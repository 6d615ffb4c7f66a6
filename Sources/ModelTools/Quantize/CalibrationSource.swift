public import Foundation

/// Where calibration inputs come from: real images through the model's own pre-processing, or
/// seeded random tensors.
public enum CalibrationSource: Sendable, Hashable, CustomStringConvertible {
    /// Every PNG, JPEG, TIFF and WebP image in a folder.
    case images(URL)
    /// These image files (a folder split by ``heldBack()``).
    case imageFiles([URL])
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
        case .imageFiles(let files):
            files.count == 1 ? files[0].path : "\(files.count) images from \(files[0].deletingLastPathComponent().path)"
        case .random(let count): "random:\(count)"
        }
    }

    /// The images of a folder split in two, for a quality floor with no held-back photos of its
    /// own: every third image (sorted by name) is held back, at least one, the rest calibrate.
    /// - Throws: ``QuantizeError/noHeldBackImages(_:)`` when the source is not a folder of at
    ///   least two images.
    public func heldBack() throws(QuantizeError) -> (calibration: CalibrationSource, heldBack: CalibrationSource) {
        let files: [URL]
        switch self {
        case .images(let folder): files = CalibrationInputs.imageFiles(in: folder)
        case .imageFiles(let list): files = list
        case .random: throw .noHeldBackImages("random inputs are not photos to judge quality on")
        }
        guard files.count >= 2 else {
            throw .noHeldBackImages("\(description) has \(files.count) image\(files.count == 1 ? "" : "s"), and two are needed to hold one back")
        }
        let held = files.indices.filter { $0 % 3 == 2 }
        let heldBack = held.isEmpty ? [files.count - 1] : held
        return (
            .imageFiles(files.indices.filter { !heldBack.contains($0) }.map { files[$0] }),
            .imageFiles(heldBack.map { files[$0] })
        )
    }
}
