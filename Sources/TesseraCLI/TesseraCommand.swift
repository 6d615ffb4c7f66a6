import ArgumentParser
import Foundation

/// The `tessera` command. Exit status: 0 success, 1 error, 2 usage error.
@main
struct TesseraCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tessera",
        abstract: "Deploy ONNX image models on desktops: inspect, check, run and upscale.",
        discussion: """
            Errors print one line naming the file and the cause. Exit status is 0 on success, \
            1 on an error, 2 on a usage error. Commands that take --json print machine-readable \
            output on stdout; see docs/json-output.md for the formats.
            """,
        version: "0.1.0",
        subcommands: [
            Inspect.self, Devices.self, Check.self, Run.self, ConformanceCommand.self, Bench.self, Import.self, Models.self,
            Verify.self, Upscale.self, Preview.self, Serve.self, Optimize.self, Quantize.self,
        ]
    )

    /// Runs the command with Tessera's exit-status contract instead of argument-parser's
    /// (which uses 64 for usage errors on Linux).
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            finish(0)
        } catch let code as ExitCode {
            finish(code.rawValue)
        } catch {
            let code = exitCode(for: error)
            if code == .success { exit(withError: error) }  // --help, --version
            if code == .validationFailure {
                StandardError.write(fullMessage(for: error))
                finish(2)
            }
            StandardError.write("tessera: \(error)")
            finish(1)
        }
    }

    /// Ends the process once standard output is flushed, without exit-time destructors: the
    /// libraries loaded at run time (OpenVINO's and ONNX Runtime's thread pools) can still have
    /// threads running while their static state is torn down, which made an exit after an error
    /// crash now and then (signal 11) after the command had finished its work.
    private static func finish(_ code: Int32) -> Never {
        fflush(nil)
        _exit(code)
    }
}
