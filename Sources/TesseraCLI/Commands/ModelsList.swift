import ArgumentParser
import Foundation
import ModelManifest
import TilePipeline

/// `tessera models list`: what is installed and which variants are fetched.
struct ModelsList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List installed models, their variants and which are fetched.",
        discussion: """
            One row per variant: the model id and scale, the variant's name (library and \
            precision; "any" runs on every library), whether its file is in the cache, and its size.

            Examples:
              tessera models list
              tessera models list --json | jq '.models[].id'
            """
    )

    @Flag(help: "Print JSON (format in docs/json-output.md).")
    var json = false

    struct Report: Encodable {
        struct Model: Encodable {
            var id: String
            var task: String
            var scale: Int
            var directory: String
            var variants: [Variant]
        }
        struct Variant: Encodable {
            var name: String
            var library: String?
            var precision: String
            var file: String
            var url: String
            var sha256: String
            var bytes: Int
            var fetched: Bool
            var path: String?
        }
        var schemaVersion = 1
        var cache: String
        var models: [Model]
    }

    func run() async throws {
        let store = Models.store
        let installed = try store.installed()
        let report = Report(
            cache: store.root.path,
            models: installed.map { model in
                Report.Model(
                    id: model.id, task: model.manifest.task.rawValue, scale: model.manifest.scale, directory: model.directory.path,
                    variants: model.manifest.variants.map { variant in
                        let fetched = model.isFetched(variant)
                        return Report.Variant(
                            name: variant.name, library: variant.library?.rawValue, precision: variant.precision.rawValue,
                            file: variant.file, url: variant.url, sha256: variant.sha256, bytes: variant.bytes, fetched: fetched,
                            path: fetched ? model.fileURL(for: variant).path : nil)
                    })
            })
        if json {
            print(try JSONOutput.string(report))
            return
        }
        if installed.isEmpty {
            print("no models installed in \(store.modelsDirectory.path)")
            return
        }
        var table = TextTable([("model", .left), ("scale", .right), ("variant", .left), ("fetched", .left), ("size", .right)])
        for model in report.models {
            for variant in model.variants {
                table.append([model.id, "×\(model.scale)", variant.name, variant.fetched ? "yes" : "no", Formatting.bytes(variant.bytes)])
            }
        }
        print(table.render())
    }
}
