import Foundation
import TesseraTestSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The real `tessera preview` binary serving on 127.0.0.1, for as long as a test needs it.
/// Call ``stop()`` when done (a `defer` right after creating it).
final class PreviewProcess {
    struct StartFailure: Error, CustomStringConvertible {
        var output: String
        var description: String { "tessera preview did not start: \(output)" }
    }

    /// The page's URL as printed, token included.
    let url: String
    private let process: Process

    /// Starts `tessera preview` with `arguments` on a free port below 32768 (tried at random:
    /// another test may hold one).
    init(_ arguments: [String], environment: [String: String]) throws {
        var lastOutput = ""
        for _ in 0..<8 {
            let port = Int.random(in: 20000..<32000)
            let process = Process()
            process.executableURL = try TesseraBinary.url()
            process.arguments = ["preview"] + arguments + ["--port", String(port)]
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
            let output = Pipe()
            process.standardOutput = output
            process.standardError = output
            process.standardInput = FileHandle.nullDevice
            try process.run()
            // The URL line, or the end of the stream when it could not bind.
            var text = ""
            while !text.contains("tessera preview: http") || !text.hasSuffix("\n") {
                let chunk = output.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                text += String(decoding: chunk, as: UTF8.self)
            }
            let line = text.split(separator: "\n").first { $0.hasPrefix("tessera preview: http") }
            if let line {
                self.process = process
                url = String(line.dropFirst("tessera preview: ".count))
                return
            }
            lastOutput = text
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
        throw StartFailure(output: lastOutput)
    }

    func stop() {
        if process.isRunning {
            // SIGKILL: a child of Foundation's Process may inherit a mask that blocks SIGTERM.
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}
