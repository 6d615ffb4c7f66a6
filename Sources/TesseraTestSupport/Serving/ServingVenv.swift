public import Foundation

/// The serving venv `Scripts/setup.sh --deps` makes from Debian's `/usr/bin/python3` (Triton's
/// Python-backend stub links against that interpreter's libpython): the `nvidia-pytriton`
/// wheel's Triton Inference Server, the `kserve` ModelServer, onnxruntime and numpy.
public enum ServingVenv {
    /// `.venv-serving` in the repository.
    public static var root: URL { Fixtures.repositoryRoot.appendingPathComponent(".venv-serving") }

    /// The venv's `site-packages`.
    public static func sitePackages() throws -> URL {
        let lib = root.appendingPathComponent("lib")
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: lib.path)) ?? []
        guard let version = versions.sorted().first(where: { $0.hasPrefix("python3") }) else {
            throw Fixtures.Missing(what: "the serving venv (.venv-serving)", path: lib.path + "/python3.*")
        }
        return lib.appendingPathComponent("\(version)/site-packages")
    }

    /// The Python minor version of the venv, `3.11`: Triton's stub must be built for it.
    static func pythonVersion() throws -> String {
        String(try sitePackages().deletingLastPathComponent().lastPathComponent.dropFirst("python".count))
    }

    /// The venv's interpreter.
    public static func python() throws -> URL {
        try existing(root.appendingPathComponent("bin/python"), what: "the serving venv's python")
    }

    /// The `nvidia-pytriton` wheel's Triton distribution (`bin/tritonserver`, `backends/python`,
    /// `python_backend_stubs/3.x`).
    static func tritonDistribution() throws -> URL {
        try existing(try sitePackages().appendingPathComponent("pytriton/tritonserver"), what: "nvidia-pytriton's tritonserver")
    }

    /// The environment a server started from this venv needs: its `bin` first on `PATH` (the
    /// Python stub finds the venv's packages through it) and the wheel's bundled libraries.
    static func environment() throws -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["PATH"] = root.appendingPathComponent("bin").path + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        let libs = try sitePackages().appendingPathComponent("nvidia_pytriton.libs").path
        environment["LD_LIBRARY_PATH"] = [libs, environment["LD_LIBRARY_PATH"]].compactMap { $0 }.joined(separator: ":")
        return environment
    }

    static func existing(_ url: URL, what: String) throws -> URL {
        guard FileManager.default.fileExists(atPath: url.path) else { throw Fixtures.Missing(what: what, path: url.path) }
        return url
    }
}
