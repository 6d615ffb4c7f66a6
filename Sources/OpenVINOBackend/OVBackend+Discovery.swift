import CTesseraOpenVINO
public import Foundation
public import InferenceRuntime

extension OVBackend {
    /// The variable that names a `libopenvino_c` file explicitly; it is tried first.
    public static let environmentVariable = "TESSERA_OPENVINO_LIBRARY"

    /// The oldest OpenVINO release whose C API matches Tessera's declarations (major, minor).
    public static let minimumVersion = LibraryVersion(major: 2024, minor: 0)

    static let locator = LibraryLocator(
        fileNames: ["libopenvino_c.so"], environmentVariable: environmentVariable, venvSubdirectories: ["openvino/libs"]
    )

    /// Finds and loads OpenVINO: the file named by ``environmentVariable``, then the project's
    /// `.venv` (`site-packages/openvino/libs`), then the system's library folders. The first
    /// usable file wins; every place looked at is reported with what happened there, and
    /// nothing here throws or crashes on a bad file.
    ///
    /// ```swift
    /// let found = OVBackend.discover()
    /// for attempt in found.attempts { print(attempt) }
    /// if let openVINO = found.backend { print(openVINO.version, openVINO.devices().map(\.id)) }
    /// ```
    /// - Parameter environment: the variables to consult; tests pass their own dictionary
    ///   instead of changing the process environment.
    /// - Returns: the backend (an ``OVBackend``) if a candidate loaded, and the attempts in search order.
    public static func discover(environment: [String: String] = ProcessInfo.processInfo.environment)
        -> BackendDiscovery
    {
        locator.discover(.openVINO, environment: environment) { (path) throws(BackendError) in try load(path: path) }
    }

    /// Loads the OpenVINO C library at `path` and checks it before use.
    /// - Throws: ``BackendError``: `.libraryNotFound` when the file cannot be opened (missing,
    ///   corrupt, wrong architecture), `.symbolMissing` when it is not OpenVINO's C library or
    ///   lacks a function, `.libraryTooOld` below ``minimumVersion`` or when its element type
    ///   codes are not the ones Tessera was written for.
    public static func load(path: String) throws(BackendError) -> OVBackend {
        let library: DynamicLibrary
        do {
            library = try DynamicLibrary(path: path)
        } catch {
            throw BackendError(
                .libraryNotFound, backend: .openVINO, call: "dlopen", message: "cannot open: \(error.message)")
        }
        guard let versionSymbol = library.symbol("ov_get_openvino_version"),
            let freeSymbol = library.symbol("ov_version_free")
        else {
            throw BackendError(
                .symbolMissing, backend: .openVINO, call: "dlsym",
                message: "not OpenVINO's C library: no ov_get_openvino_version")
        }
        // Unsafe 1: both symbols have the signatures tessera_ov.h declares; they are unchanged
        // since OpenVINO 2022.1, so this holds even for a library about to be rejected as too old.
        // Unsafe 2: function and data pointers share one representation (see OVAPI's resolver).
        let getVersion = unsafeBitCast(versionSymbol, to: tessera_ov_get_openvino_version_fn.self)
        let freeVersion = unsafeBitCast(freeSymbol, to: tessera_ov_version_free_fn.self)
        var info = tessera_ov_version(build_number: nil, description: nil)
        guard getVersion(&info) == TESSERA_OV_OK, let build = info.build_number.map({ String(cString: $0) }) else {
            throw BackendError(
                .symbolMissing, backend: .openVINO, call: "ov_get_openvino_version", message: "reported no version")
        }
        freeVersion(&info)

        guard let parsed = LibraryVersion(build), parsed >= minimumVersion else {
            throw BackendError(
                .libraryTooOld, backend: .openVINO, call: "ov_get_openvino_version",
                message: "version \(build) is older than \(minimumVersion.major).\(minimumVersion.minor)")
        }
        let api = try OVAPI(library: library)
        let core = try OVCore(api: api)
        try verifyElementTypes(core: core)
        return OVBackend(core: core, version: build, libraryPath: path)
    }

    /// Confirms that a few element type codes mean what `tessera_ov.h` says, by their byte
    /// sizes: releases that numbered the types differently must not be driven with our table.
    private static func verifyElementTypes(core: OVCore) throws(BackendError) {
        let api = core.api
        let expected: [(tessera_ov_element_type, Int)] = [
            (TESSERA_OV_TYPE_BOOLEAN, 1), (TESSERA_OV_TYPE_F16, 2), (TESSERA_OV_TYPE_F32, 4), (TESSERA_OV_TYPE_I8, 1),
            (TESSERA_OV_TYPE_I32, 4), (TESSERA_OV_TYPE_I64, 8), (TESSERA_OV_TYPE_U8, 1), (TESSERA_OV_TYPE_U64, 8),
        ]
        var dims: [Int64] = [1]
        for (type, size) in expected {
            var handle: OpaquePointer?
            let status = dims.withUnsafeMutableBufferPointer { buffer in
                api.tensorCreate(type, tessera_ov_shape(rank: 1, dims: buffer.baseAddress), &handle)
            }
            try api.check(status, "ov_tensor_create", kind: .libraryTooOld)
            guard let handle else { continue }
            let tensor = OVTensor(takingOwnership: handle, api: api)
            var bytes = 0
            try api.check(api.tensorGetByteSize(tensor.handle, &bytes), "ov_tensor_get_byte_size", kind: .libraryTooOld)
            guard bytes == size else {
                throw BackendError(
                    .libraryTooOld, backend: .openVINO, call: "ov_tensor_create",
                    message: "element type code \(type.rawValue) is \(bytes) bytes wide, expected \(size): "
                        + "this OpenVINO numbers its types differently from 2026.4")
            }
        }
    }
}
