internal import CTesseraORT
public import Foundation
public import InferenceRuntime

extension ONNXRuntimeBackend {
    /// Where Tessera looks for ONNX Runtime: `$TESSERA_ONNXRUNTIME_LIBRARY`, then the `onnxruntime`
    /// wheel in the project's `.venv`, then the system's library folders.
    public static let locator = LibraryLocator(
        fileNames: ["libonnxruntime.so", "libonnxruntime.dylib"], environmentVariable: "TESSERA_ONNXRUNTIME_LIBRARY",
        venvSubdirectories: ["onnxruntime/capi"])

    /// The ONNX Runtime version that serves the API table Tessera's declarations describe
    /// (ORT 1.N serves API N).
    public static let requiredVersion = "1.\(TESSERA_ORT_API_VERSION)"

    /// Finds and loads the first usable ONNX Runtime library. Never throws and never crashes on
    /// a bad file: each rejected place is reported with its reason.
    ///
    /// ```swift
    /// let found = ONNXRuntimeBackend.discover()
    /// for attempt in found.attempts { print(attempt) }
    /// if let ort = found.backend { print(ort.version, ort.devices().map(\.id)) }
    /// ```
    /// - Parameter environment: the variables to search with (the process environment by
    ///   default; tests pass their own).
    /// - Returns: the backend (an ``ONNXRuntimeBackend``) if a candidate loaded, and every place
    ///   looked at in search order.
    public static func discover(environment: [String: String] = ProcessInfo.processInfo.environment) -> BackendDiscovery {
        locator.discover(.onnxRuntime, environment: environment) { (path) throws(BackendError) in try load(path: path) }
    }

    /// Opens the library at `path` and binds its API.
    /// - Throws: ``BackendError`` of kind `libraryNotFound` (cannot be opened: missing, corrupt,
    ///   wrong architecture), `symbolMissing` (not ONNX Runtime), or `libraryTooOld`.
    public static func load(path: String) throws(BackendError) -> ONNXRuntimeBackend {
        let library: DynamicLibrary
        do { library = try DynamicLibrary(path: path) } catch {
            throw BackendError(
                .libraryNotFound, backend: .onnxRuntime, call: "dlopen", message: "cannot be opened: \(error.message)")
        }
        guard let entry = library.symbol("OrtGetApiBase") else {
            throw BackendError(
                .symbolMissing, backend: .onnxRuntime, call: "dlsym",
                message: "not ONNX Runtime: the library exports no OrtGetApiBase")
        }
        // Unsafe 1: `OrtGetApiBase` is ORT's one exported C function, `const OrtApiBase *(void)`,
        // with the platform's plain C calling convention (ORT_API_CALL is empty outside Windows).
        // Unsafe 2: ORT promises that OrtApiBase never changes: two pointers, GetApi then
        // GetVersionString (shim.c checks our layout has that size).
        let getApiBase = unsafeBitCast(entry, to: TesseraOrtGetApiBaseFunction.self)
        guard let base = getApiBase(), let getVersion = base.pointee.GetVersionString,
            let getApi = base.pointee.GetApi
        else {
            throw BackendError(.symbolMissing, backend: .onnxRuntime, call: "OrtGetApiBase", message: "OrtGetApiBase returned no API base")
        }
        let version = getVersion().map { String(cString: $0) } ?? ""
        guard let parsed = LibraryVersion(version) else {
            throw BackendError(
                .symbolMissing, backend: .onnxRuntime, call: "GetVersionString",
                message: "unrecognised version string '\(version)'")
        }
        // Asking for a newer API than the library serves makes ORT print to stderr, so the
        // version string decides first.
        guard parsed >= LibraryVersion(major: 1, minor: Int(TESSERA_ORT_API_VERSION)) else {
            throw BackendError(
                .libraryTooOld, backend: .onnxRuntime, call: "GetVersionString",
                message: "ONNX Runtime \(version) is older than \(requiredVersion), which Tessera needs")
        }
        guard let table = getApi(UInt32(TESSERA_ORT_API_VERSION)) else {
            throw BackendError(
                .libraryTooOld, backend: .onnxRuntime, call: "GetApi",
                message: "ONNX Runtime \(version) does not serve API \(TESSERA_ORT_API_VERSION)")
        }
        // Unsafe 3: the table GetApi returns is ORT's whole `OrtApi`, read here as the prefix
        // `TesseraOrtApi` (the first 219 slots, through API 12), which the library serves since
        // it answered for that version; shim.c checks the prefix against ORT's version markers.
        return try ONNXRuntimeBackend(api: ORTAPI(table: table), library: library, version: version)
    }
}
