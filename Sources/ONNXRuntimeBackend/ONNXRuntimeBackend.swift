internal import CTesseraORT
public import Foundation
public import InferenceRuntime

/// ONNX Runtime, loaded at run time from whatever `libonnxruntime` the machine has.
///
/// Nothing is linked: ``discover(environment:)`` opens the library with `dlopen`, resolves only
/// `OrtGetApiBase`, reads the version and binds the function table. The backend then lists the
/// CPU and every execution provider the build contains as ``Device``s, answers capability
/// questions from a measured operator table, and creates sessions.
///
/// ```swift
/// guard let ort = ONNXRuntimeBackend.discover().backend else { return }
/// let cpu = ort.devices()[0]
/// let session = try await ort.makeSession(model: modelURL, device: cpu, options: SessionOptions(threads: 2))
/// let outputs = try session.run(["input": tile])
/// ```
///
/// The backend is immutable and safe to share across tasks. The library stays loaded for the
/// life of the process (see `DynamicLibrary`).
public final class ONNXRuntimeBackend: Backend {
    /// Always ``BackendID/onnxRuntime``.
    public let id: BackendID = .onnxRuntime
    /// The library's version string, e.g. `1.31.1`.
    public let version: String
    /// The file the library was opened from.
    public let libraryPath: String
    /// The API version Tessera asked the library for (`TESSERA_ORT_API_VERSION`).
    public static let apiVersion = Int(TESSERA_ORT_API_VERSION)

    let api: ORTAPI
    let environment: ORTEnvironment
    let memoryInfo: ORTMemoryInfo
    /// Execution providers compiled into this library, in ORT's order of preference.
    public let providers: [String]
    private let library: DynamicLibrary

    init(api: ORTAPI, library: DynamicLibrary, version: String) throws(BackendError) {
        self.api = api
        self.library = library
        self.version = version
        self.libraryPath = library.path
        environment = try ORTEnvironment(api: api)
        memoryInfo = try ORTMemoryInfo(api: api)
        providers = try api.availableProviders()
    }

    /// The CPU first, then one device per usable execution provider (see ``DeviceCatalog``).
    public func devices() -> [Device] {
        DeviceCatalog.devices(providers: providers)
    }

    /// Answers from the operator table measured on ONNX Runtime 1.31.1 (loads nothing).
    ///
    /// On the CPU provider a node the table lacks is `blocking`. On any other provider ORT moves
    /// such nodes to its CPU provider, so the same gaps are `fallback` findings (the table was
    /// measured on the CPU provider; no other provider could be probed here). A library older
    /// than the table, or a model opset newer than the library knows, is reported too.
    public func capability(of model: ModelSummary, on device: Device) -> CapabilityReport {
        let severity: CapabilityReport.Finding.Severity =
            device.route == DeviceCatalog.cpuProvider ? .blocking : .fallback
        var findings: [CapabilityReport.Finding] = []
        guard let table = SupportTable.shared else {
            let note = CapabilityReport.Finding(
                severity: .note, nodes: [], reason: .other("operators-onnxruntime.json is missing; operators were not checked"))
            return CapabilityReport(backend: id, device: device.id, findings: [note])
        }
        findings += table.operators.findings(for: model, severity: severity)
        if let found = LibraryVersion(version), let measured = LibraryVersion(table.operators.libraryVersion),
            found < measured
        {
            // The table may claim operator versions this older library lacks.
            findings.append(
                .init(severity: .note, nodes: [], reason: .libraryTooOld(required: table.operators.libraryVersion, found: version)))
        }
        if let opset = model.opsets[""], let newest = table.maxOpset, opset > newest {
            findings.append(
                .init(
                    severity: .blocking, nodes: [],
                    reason: .other("the model imports ai.onnx opset \(opset); ONNX Runtime \(table.operators.libraryVersion) loads up to \(newest)")))
        }
        return CapabilityReport(backend: id, device: device.id, findings: findings)
    }

    /// Loads `model` on `device`. With `options.cacheDirectory` set, the first load saves ORT's
    /// optimized graph there and later loads of the same file and options read it back with
    /// graph optimization off, so no conversion work repeats.
    ///
    /// `options.threads` sets ORT's intra-op threads and `graphOptimization` its optimization
    /// level. `precision` matters only on NVIDIA providers (`.accurate` turns CUDA's TF32 off,
    /// `.fast` allows TF32 and TensorRT float16); ORT's CPU provider always computes in the
    /// model's types. `inputShapes` is not needed: ORT runs dynamic shapes as they come.
    ///
    /// Runs synchronously on the calling task: ORT gives no way to suspend inside `CreateSession`.
    /// - Throws: ``BackendError``: `.load` with ORT's message for a model ORT refuses,
    ///   `.unsupported` when the device's provider cannot be added, `.outOfMemory`.
    public func makeSession(model: URL, device: Device, options: SessionOptions) async throws -> any Session {
        try ORTSession.load(model: model, device: device, options: options, backend: self)
    }
}

/// The committed operator table and the newest opset the probed library loads.
struct SupportTable: Sendable {
    var operators: OperatorSupportTable
    var maxOpset: Int?

    /// Read once from the target's resources; `nil` if the file is missing or unreadable.
    static let shared: SupportTable? = {
        guard let url = Bundle.module.url(forResource: "operators-onnxruntime", withExtension: "json"),
            let data = try? Data(contentsOf: url), let table = try? OperatorSupportTable(json: data)
        else { return nil }
        // `maxOpset` is an extra key the probe writes; OperatorSupportTable ignores it.
        struct Extra: Decodable { var maxOpset: Int? }
        return SupportTable(operators: table, maxOpset: (try? JSONDecoder().decode(Extra.self, from: data))?.maxOpset)
    }()
}
