import ArgumentParser
import Foundation
import Tessera

/// `--remote URL …`: inference servers (Triton, KServe, OpenVINO Model Server, another
/// `tessera serve`) used as devices beside the local ones.
struct RemoteOptions: ParsableArguments {
    @Option(
        name: .customLong("remote"),
        help: ArgumentHelp(
            "An Open Inference Protocol server to send tiles to (http://host:port, https://…); repeat for several.",
            discussion: "Default: TESSERA_REMOTE (URLs separated by commas or spaces). A bearer token is read from TESSERA_REMOTE_TOKEN, never from the command line, where other users could see it.",
            valueName: "url"))
    var urls: [String] = []

    @Option(name: .customLong("remote-model"), help: "The model's name on the servers (default: the model's id or file name).")
    var model: String?

    @Option(
        name: .customLong("remote-requests"),
        help: "Requests in flight per server, to hide the round trip (default: measured during the run, 2 up to 8).")
    var requests: Int?

    @Option(
        name: .customLong("remote-ca"),
        help: ArgumentHelp(
            "A PEM file of certificates to trust for https:// and grpcs:// servers (a private CA's), instead of the system's.",
            discussion: "Default: TESSERA_REMOTE_CA.", valueName: "file"))
    var caFile: String?

    @Option(name: .customLong("remote-timeout"), help: ArgumentHelp("Seconds one request may take before it is retried.", valueName: "seconds"))
    var timeout = 60.0

    func validate() throws {
        if let requests, requests < 1 { throw ValidationError("--remote-requests must be at least 1") }
        if !(timeout > 0) { throw ValidationError("--remote-timeout must be a positive number of seconds") }
    }

    /// `--remote`, else `TESSERA_REMOTE`.
    private var givenURLs: [String] {
        if !urls.isEmpty { return urls }
        let variable = ProcessInfo.processInfo.environment["TESSERA_REMOTE"] ?? ""
        return variable.split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init)
    }

    /// Connects to every server named for the model `modelArgument` (an id or a file) and, with
    /// `reportFailures`, reports each one that did not answer on stderr; `nil` when no server is named.
    func connect(for modelArgument: String, reportFailures: Bool = true) async throws -> RemoteBackend? {
        let urls = givenURLs
        guard !urls.isEmpty else { return nil }
        let name = model ?? Self.defaultName(of: modelArgument)
        let environment = ProcessInfo.processInfo.environment
        let token = environment["TESSERA_REMOTE_TOKEN"]
        let caFile = caFile ?? environment["TESSERA_REMOTE_CA"]
        let endpoints = try urls.map { url throws(RemoteError) in
            try RemoteEndpoint(url, model: name, token: token, caFile: caFile, timeout: .milliseconds(Int(timeout * 1000)))
        }
        let remote = await RemoteBackend.connect(endpoints)
        if reportFailures {
            for failure in remote.failures { StandardError.write("tessera: remote endpoint skipped: \(failure)") }
        }
        return remote
    }

    /// An installed id stays as it is; a file's name loses its folder and extension.
    static func defaultName(of modelArgument: String) -> String {
        guard modelArgument.contains("/") || modelArgument.hasSuffix(".onnx") || modelArgument.hasSuffix(".json") else {
            return modelArgument
        }
        return URL(fileURLWithPath: modelArgument).deletingPathExtension().lastPathComponent
    }
}
