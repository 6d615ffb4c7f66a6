/// A processor a library can run a model on.
///
/// The same physical processor can appear once per library (ONNX Runtime's CPU and OpenVINO's CPU);
/// ``physicalKey`` groups them, so selection can rank devices first and libraries second.
public struct Device: Hashable, Sendable, Codable {
    /// What kind of processor this is.
    public enum Kind: String, Sendable, Codable, Comparable {
        case cpu, gpu, npu
        /// An inference server reached over the network (the `remote` backend): its hardware
        /// is the server's business.
        case remote

        public static func < (a: Kind, b: Kind) -> Bool { a.rawValue < b.rawValue }
    }

    public var id: DeviceID
    public var kind: Kind
    /// `Intel`, `NVIDIA`, `AMD`, … as the library reports it; empty when unknown.
    public var vendor: String
    /// The full name, e.g. `Intel(R) Xeon(R) Platinum 8488C` or `NVIDIA H100 80GB HBM3`.
    public var name: String
    /// Memory available to the device in bytes: system memory for a CPU, dedicated memory for a
    /// GPU where the library reports it; `nil` when unknown.
    public var memoryBytes: Int64?
    /// The library that drives this device.
    public var backend: BackendID
    /// How the library reaches the device: ONNX Runtime's execution provider
    /// (`CPUExecutionProvider`, `CUDAExecutionProvider`), OpenVINO's device name (`CPU`, `GPU.0`).
    public var route: String
    /// How specific the route is to this hardware: higher is preferred by selection
    /// (a vendor's own provider over a generic one; the reference engine lowest).
    public var specificity: Int

    public init(
        id: DeviceID, kind: Kind, vendor: String, name: String, memoryBytes: Int64?, backend: BackendID, route: String,
        specificity: Int
    ) {
        self.id = id
        self.kind = kind
        self.vendor = vendor
        self.name = name
        self.memoryBytes = memoryBytes
        self.backend = backend
        self.route = route
        self.specificity = specificity
    }

    /// Identifies the physical processor across libraries: the kind plus a normalised name.
    public var physicalKey: String {
        let normalized = name.lowercased().filter { $0.isLetter || $0.isNumber }
        return "\(kind.rawValue):\(normalized)"
    }
}
