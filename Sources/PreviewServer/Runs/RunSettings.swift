import Foundation
import InferenceRuntime
import TilePipeline

/// What the page chose for a run; the same meaning as `tessera upscale`'s options of the same names.
struct RunSettings: Codable, Hashable, Sendable {
    /// Model ids or command-line models, in chain order.
    var models: [String]
    var precision: SessionOptions.Precision = .accurate
    var tta = false
    var blend = false
    var library: String?
    var device: String?

    /// Everything but `models` may be left out, for the defaults `tessera upscale` has.
    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        models = try container.decode([String].self, forKey: .models)
        precision = try container.decodeIfPresent(SessionOptions.Precision.self, forKey: .precision) ?? .accurate
        tta = try container.decodeIfPresent(Bool.self, forKey: .tta) ?? false
        blend = try container.decodeIfPresent(Bool.self, forKey: .blend) ?? false
        library = try container.decodeIfPresent(String.self, forKey: .library)
        device = try container.decodeIfPresent(String.self, forKey: .device)
    }

    /// What the loaded sessions depend on: everything but the stitching.
    struct LoadKey: Hashable, Sendable {
        var models: [String]
        var precision: SessionOptions.Precision
        var tta: Bool
        var library: String?
        var device: String?
    }

    var loadKey: LoadKey { LoadKey(models: models, precision: precision, tta: tta, library: library, device: device) }

    /// `tessera upscale`'s options for these settings, every other option at its default, so
    /// a region comes out as `tessera upscale --region` writes it.
    func upscaleOptions(cacheDirectory: URL, maxPixels: Int) -> UpscaleOptions {
        var options = UpscaleOptions()
        options.maxPixels = maxPixels
        options.testTimeAugmentation = tta
        options.stitch = blend ? .blend : .crop
        options.library = library?.isEmpty == true ? nil : library
        options.device = device?.isEmpty == true ? nil : device
        options.session = SessionOptions(precision: precision, cacheDirectory: cacheDirectory)
        return options
    }
}
