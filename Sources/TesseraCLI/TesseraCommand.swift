import ArgumentParser

/// The `tessera` command: subcommands for each job, exit status 0 / 1 (error) / 2 (usage).
@main
struct TesseraCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tessera",
        abstract: "Deploy ONNX image models on desktops: inspect, check, run and upscale.",
        version: "0.1.0",
        subcommands: [Inspect.self]
    )
}
