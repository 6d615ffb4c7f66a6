import ArgumentParser
import Foundation
import Tessera

/// `tessera devices`: which inference libraries were found, where, and the devices they drive.
struct Devices: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the inference libraries found and the devices they can use.",
        discussion: """
            Libraries are looked for in this order: an environment variable naming the file \
            (TESSERA_ONNXRUNTIME_LIBRARY, TESSERA_OPENVINO_LIBRARY), the project's .venv (or \
            TESSERA_VENV), then the system's library paths. Every place tried is listed with the \
            reason a candidate was skipped (missing, corrupt, not that library, too old).

            With --remote, inference servers are asked for their metadata and the model's \
            (--remote-model, default realesr-animevideov3-x4) and listed as devices of kind \
            remote, with the model's inputs and outputs as the server describes them, or why \
            each was skipped.
            """
    )

    @Flag(help: "Print JSON (format in docs/json-output.md).")
    var json = false

    @OptionGroup(title: "Inference servers")
    var remote: RemoteOptions

    struct Report: Encodable {
        struct Library: Encodable {
            var library: String
            var loaded: Bool
            var version: String?
            var path: String?
            var attempts: [String]
        }
        var schemaVersion = 1
        struct Server: Encodable {
            var endpoint: String
            var server: ServerMetadata?
            var model: ModelMetadata?
            var error: String?
        }
        var libraries: [Library]
        var devices: [Device]
        var servers: [Server]?
    }

    func run() async throws {
        let catalog = BackendCatalog.discover()
        let servers = try await remote.connect(for: "realesr-animevideov3-x4", reportFailures: false)
        let report = Report(
            libraries: catalog.discoveries.map {
                Report.Library(
                    library: $0.library.rawValue, loaded: $0.backend != nil, version: $0.backend?.version,
                    path: $0.backend?.libraryPath, attempts: $0.attempts.map(\.description))
            },
            devices: catalog.devices() + (servers?.devices() ?? []),
            servers: servers.map { remote in
                remote.connections.map { Report.Server(endpoint: $0.endpoint.description, server: $0.server, model: $0.model) }
                    + remote.failures.map { Report.Server(endpoint: "", error: $0.description) }
            })
        if json {
            print(try JSONOutput.string(report))
            return
        }
        print("Libraries")
        for discovery in catalog.discoveries {
            if let backend = discovery.backend {
                print("  \(discovery.library)  \(backend.version)  \(backend.libraryPath)")
            } else {
                print("  \(discovery.library)  not found")
            }
            for attempt in discovery.attempts where attempt.outcome != .notNeeded {
                if case .loaded = attempt.outcome { continue }
                print("    \(attempt)")
            }
        }
        print("")
        print("Devices")
        var table = TextTable([("id", .left), ("kind", .left), ("name", .left), ("memory", .right), ("route", .left)])
        for device in report.devices {
            table.append([
                device.id.rawValue, device.kind.rawValue, device.name,
                device.memoryBytes.map { Formatting.bytes(Int($0)) } ?? "?", device.route,
            ])
        }
        print(table.render())
        guard let servers else { return }
        print("")
        print("Servers")
        for connection in servers.connections {
            print("  \(connection.endpoint)  \(connection.server.name) \(connection.server.version)  model \(connection.model.name)")
            for tensor in connection.model.inputs { print("    input  \(tensor)") }
            for tensor in connection.model.outputs { print("    output \(tensor)") }
        }
        for failure in servers.failures { print("  skipped: \(failure)") }
    }
}
