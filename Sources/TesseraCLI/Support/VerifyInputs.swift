import ArgumentParser
import Foundation
import ImageIO
import ModelTools
import Tessera

/// Turns one `tessera verify --inputs` entry into model feeds.
enum VerifyInputs {
    static func feeds(for entry: String, interface: [ValueInfo], shapes: [String: [Dim]]) throws -> [String: Tensor] {
        if entry == "random" || entry.hasPrefix("random:") {
            guard let source = InputOption.Source(entry) else { throw ValidationError("bad input '\(entry)': use random:SEED") }
            var feeds: [String: Tensor] = [:]
            for input in interface {
                let shape = shapes[input.name]?.compactMap(\.value) ?? defaultShape(of: input)
                feeds[input.name] = try InputOption(name: input.name, source: source).tensor(for: input, shape: shape)
            }
            return feeds
        }
        guard interface.count == 1, let input = interface.first else {
            throw ValidationError("the model has \(interface.count) inputs; files feed single-input models, use random:SEED")
        }
        let url = URL(fileURLWithPath: entry)
        if url.pathExtension.lowercased() == "npy" {
            return [input.name: try InputOption(name: input.name, source: .file(entry)).tensor(for: input, shape: nil)]
        }
        guard ImageFormat(pathExtension: url.pathExtension) != nil else {
            throw ValidationError("\(entry): not random:SEED, an image (.png, .jpg, .tif, .webp, .avif, .heic, .jxl) or a .npy file")
        }
        let dims = input.type?.tensorType?.dims ?? []
        guard dims.count == 4 else { throw CLIError("\(entry): the model's input '\(input.name)' is not an N×C×H×W image") }
        let channels = dims[1].value ?? 3
        return [input.name: try Tensor(image: try ImageReader.read(url), channels: channels)]
    }

    /// The model's dims with dynamic ones filled: batch 1, anything else 64.
    private static func defaultShape(of input: ValueInfo) -> [Int] {
        (input.type?.tensorType?.dims ?? []).enumerated().map { index, dim in dim.value ?? (index == 0 ? 1 : 64) }
    }
}
