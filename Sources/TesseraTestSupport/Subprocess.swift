public import Foundation

/// Runs a program to completion and captures its output; used to run the `tessera` binary and
/// the Python oracles.
public struct ProcessResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

/// Runs `executable` with `arguments`, feeding nothing on standard input.
public func runProcess(_ executable: URL, _ arguments: [String], environment: [String: String]? = nil) throws
    -> ProcessResult
{
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    if let environment { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
    // stderr goes to a file so a child that fills it cannot block while stdout is being drained.
    let errURL = FileManager.default.temporaryDirectory.appendingPathComponent("stderr-\(UUID().uuidString)")
    _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
    defer { try? FileManager.default.removeItem(at: errURL) }
    let err = try FileHandle(forWritingTo: errURL)
    let out = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    try err.close()
    let errData = (try? Data(contentsOf: errURL)) ?? Data()
    return ProcessResult(
        status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
        stderr: String(decoding: errData, as: UTF8.self))
}

/// Runs a Python script from the repository with the venv's interpreter; throws if it fails.
public func runPython(_ script: String, _ arguments: [String]) throws -> String {
    let scriptURL = Fixtures.repositoryRoot.appendingPathComponent(script)
    let result = try runProcess(try Fixtures.python(), [scriptURL.path] + arguments)
    guard result.status == 0 else {
        throw PythonFailure(script: script, status: result.status, stderr: result.stderr)
    }
    return result.stdout
}

/// A Python oracle that exited non-zero.
public struct PythonFailure: Error, CustomStringConvertible {
    public var script: String
    public var status: Int32
    public var stderr: String
    public var description: String { "\(script) exited \(status): \(stderr.suffix(2000))" }
}
