/// A stable name for an inference library: `onnxruntime`, `openvino`, `reference`.
///
/// The same strings appear in manifests, on the command line and in reports.
public struct BackendID: RawRepresentable, Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }

    public static let onnxRuntime = BackendID("onnxruntime")
    public static let openVINO = BackendID("openvino")
    public static let reference = BackendID("reference")

    public var description: String { rawValue }
    public static func < (a: BackendID, b: BackendID) -> Bool { a.rawValue < b.rawValue }
}

/// A stable device identifier, unique across libraries: `onnxruntime:cpu`, `onnxruntime:cuda:0`,
/// `openvino:GPU.0`, `reference:cpu`.
public struct DeviceID: RawRepresentable, Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }

    public var description: String { rawValue }
    public static func < (a: DeviceID, b: DeviceID) -> Bool { a.rawValue < b.rawValue }
}
