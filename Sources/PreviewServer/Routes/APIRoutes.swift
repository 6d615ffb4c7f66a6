import Foundation
import HTTPTypes
import Hummingbird
import InferenceRuntime

/// The page's API; every route is behind ``AccessCheck``.
struct APIRoutes: Sendable {
    let library: ImageLibrary
    let pool: UpscalerPool
    let results: ResultFiles
    let runs: FullRuns
    let installs: ModelInstalls
    let preview: RegionPreview
    let devices: [DeviceChoice]

    /// A device the page may restrict runs to.
    struct DeviceChoice: Codable, Sendable {
        var id: String
        var library: String
        var name: String
    }

    /// What the page needs to draw its controls.
    struct Setup: Codable, Sendable {
        var models: [String]
        var libraries: [String]
        var devices: [DeviceChoice]
        var images: [LibraryImage]
        var maxUploadBytes: Int
    }

    struct InstallRequest: Codable, Sendable {
        /// A manifest's path or http(s) URL.
        var source: String
    }

    struct RunRequest: Codable, Sendable {
        var image: String
        var settings: RunSettings
    }

    static let filenameHeader = HTTPField.Name("X-Filename")!

    func add(to router: Router<some RequestContext>) {
        let api = router.group("api")
        api.get("setup") { _, _ in try await self.setup() }
        api.get("images") { _, _ in try JSONReply.response(await self.library.list()) }
        api.post("images") { request, _ in
            let name = request.headers[Self.filenameHeader].flatMap { $0.removingPercentEncoding } ?? "upload"
            return try JSONReply.response(
                try await UploadReceiver.receive(request.body, named: name, into: self.library))
        }
        api.get("images/:id/display") { _, context in
            let (url, type) = try await self.library.displayFile(try context.parameters.require("id"))
            return try FileReply.response(url, contentType: type)
        }
        api.post("preview") { request, _ in
            try JSONReply.response(
                try await self.preview.run(try await JSONReply.decode(RegionRequest.self, from: request)))
        }
        api.post("compare") { request, _ in
            let comparison = RegionComparison(preview: self.preview)
            return try JSONReply.response(
                try await comparison.run(try await JSONReply.decode(ComparisonRequest.self, from: request)))
        }
        api.get("results/:id") { request, context in
            let (url, name) = try await self.results.file(try context.parameters.require("id"))
            let download = request.uri.queryParameters.get("download") != nil
            return try FileReply.response(
                url, contentType: FileReply.contentType(of: url), downloadName: download ? name : nil)
        }
        api.post("runs") { request, _ in
            let run = try await JSONReply.decode(RunRequest.self, from: request)
            return try JSONReply.response(try await self.runs.start(imageID: run.image, settings: run.settings))
        }
        api.post("runs/:id/cancel") { _, context in
            let run = try await self.runs.run(try context.parameters.require("id"))
            run.cancel()
            return try JSONReply.response(run.status)
        }
        api.get("runs/:id/events") { _, context in
            let run = try await self.runs.run(try context.parameters.require("id"))
            return Self.serverSentEvents(run.events())
        }
        api.post("models/install") { request, _ in
            let install = try await JSONReply.decode(InstallRequest.self, from: request)
            return try JSONReply.response(try await self.installs.start(source: install.source))
        }
        api.get("models/install/:id/events") { _, context in
            Self.serverSentEvents(try await self.installs.install(try context.parameters.require("id")).events())
        }
    }

    private func setup() async throws -> Response {
        try JSONReply.response(
            Setup(
                models: await pool.modelChoices(), libraries: pool.backends.map(\.id.rawValue), devices: devices,
                images: await library.list(), maxUploadBytes: library.maxUploadBytes))
    }

    /// Each status as one `data:` event; the stream ends when the run does.
    private static func serverSentEvents<Status: LiveStatus>(_ events: AsyncStream<Status>) -> Response {
        Response(
            status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-store"],
            body: ResponseBody { writer in
                for await status in events {
                    try await writer.write(
                        ByteBuffer(string: "event: status\ndata: \(JSONReply.encodeLine(status))\n\n"))
                }
                try await writer.finish(nil)
            })
    }
}
