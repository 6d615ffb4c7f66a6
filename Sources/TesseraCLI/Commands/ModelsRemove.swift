import ArgumentParser
import TilePipeline

/// `tessera models remove`: deletes an installed model and its fetched files.
struct ModelsRemove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Remove an installed model: its manifest and every fetched file.",
        discussion: """
            Examples:
              tessera models remove realesr-animevideov3-x4
            """
    )

    @Argument(help: "The model's id, as `tessera models list` shows it.")
    var id: String

    func run() async throws {
        try Models.store.remove(id: id)
        print("removed \(id)")
    }
}
