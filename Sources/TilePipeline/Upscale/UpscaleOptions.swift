public import ImageIO
public import InferenceRuntime

/// How `tessera upscale` (or a library user) wants images upscaled.
public struct UpscaleOptions: Sendable {
    /// Core tile side in input pixels; `nil` picks one from device memory (at most 512).
    public var tile: Int?
    /// Context around each tile in input pixels; `nil` takes the manifest's `tiling.overlap`.
    public var overlap: Int?
    /// Same-size tiles per model call.
    public var batch = 1
    /// Only this part of the input (a preview); `nil` for the whole image.
    public var region: PixelRect?
    /// Inputs whose header claims more pixels are refused before anything is decoded (a
    /// decompression bomb stays a few hundred bytes); raise it for trusted larger files.
    public var maxPixels = ImageReader.defaultMaxPixels
    /// Average over the 8 flips and transposes (test-time augmentation): 8× the work.
    public var testTimeAugmentation = false
    /// Crop tile margins, or blend overlaps with a raised-cosine ramp.
    public var stitch = StitchMode.crop
    /// Restrict to one library or device, as `tessera run` does.
    public var library: String?
    public var device: String?
    /// Use every suitable device (one worker each) instead of the best one alone.
    public var allDevices = true
    public var session = SessionOptions()
    /// Sessions (workers) per device. On a CPU they share its cores: each gets
    /// `session.threads` (or one thread per core) divided among them, which trades one large
    /// parallel run for several narrower ones, faster where a model's layers parallelise poorly.
    public var sessionsPerDevice = 1
    /// Requests in flight at once per inference server (a device of kind `.remote`), so the
    /// next tile is already on its way while the server computes one; `nil` measures the count
    /// during the run (``InFlightLimit``), from 2 up to ``maxRequestsPerEndpoint``.
    public var requestsPerEndpoint: Int?
    /// The most requests in flight per server when the count is measured.
    public static let maxRequestsPerEndpoint = 8
    /// Measure every usable (library, device) pair the first time a model runs on this machine
    /// at this tile size, threads and precision, and keep the result beside the model store, so
    /// the fastest pair is chosen. `false` measures nothing (measurements already kept still
    /// count) and leaves the policy order otherwise.
    public var tune = true
    /// Fast mode's quality floor (`session.precision == .fast`): a faster precision is used on a
    /// pair only where its output measured at least this PSNR in dB against the float32 model's,
    /// on photos that ship with Tessera. `nil` lets the libraries' fast precisions run unchecked.
    public var minimumPSNR: Double? = 45
    /// Output bits per sample; `nil` keeps the input's (8 for JPEG).
    public var bitDepth: Int?
    public var write = ImageWriteOptions()

    public init() {}
}
