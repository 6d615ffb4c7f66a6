import ArgumentParser
import Foundation
import TilePipeline

/// `tessera models`: the model store in Tessera's cache.
struct Models: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Install, list and remove models in Tessera's cache.",
        discussion: """
            A model is installed from its manifest (a JSON file, schema 1, described in \
            docs/json-output.md): the manifest names the model's variants (one file per library \
            and precision), where to fetch each and its SHA-256. Installing copies the manifest \
            into the cache and fetches the one variant this machine's best library would use; \
            a fetched file is checked for its size and SHA-256 before it is used, and an \
            interrupted fetch resumes where it stopped.

            The cache is $TESSERA_CACHE, else $XDG_CACHE_HOME/tessera, else ~/.cache/tessera; \
            models live in its models/<id>/ folder.

            Examples:
              tessera import x4.param x4.bin -o models/x4.onnx    # and models/x4.json
              tessera models install models/x4.json
              tessera models install https://example.com/models/x4.json --library openvino
              tessera models list
              tessera models add-variant x4 x4-int8.onnx    # after `tessera quantize`
              tessera models remove x4
            """,
        subcommands: [ModelsList.self, ModelsInstall.self, ModelsAddVariant.self, ModelsRemove.self]
    )

    /// The store in Tessera's cache folder.
    static var store: ModelStore { ModelStore(root: Cache.directory) }
}
