import ArgumentParser
import Foundation
import Tessera
import TilePipeline

/// `tessera run`: run any model once on the best library and device, and save its outputs.
struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a model once and write its outputs as .npy (or .pb) files.",
        discussion: """
            Picks the library and device as `tessera check` and the selection policy decide \
            (most memory, most specific library, then measured speed), falls back to the next \
            pair if a library fails, and prints each output's shape and a checksum (SHA-256 of \
            its bytes). The first run of a model at given input shapes, threads and precision \
            times every pair that can run it and keeps the result, so later runs start on the \
            fastest; --no-tune skips the measuring.

            Sequences, maps and optionals: give a sequence input as a folder of 0.npy, 1.npy, … or \
            as a .pb file (SequenceProto; MapProto for a map, OptionalProto for an optional), a map \
            input also as a folder of keys.npy and values.npy, and leave an absent optional input out. A sequence output is written as a folder of .npy \
            elements, a map as a folder of keys.npy and values.npy, a sequence of maps as a folder \
            of such folders 0/, 1/, …, or with --output-format pb any of them as one .pb file; an \
            absent optional output writes nothing.

            Examples:
              tessera run x4.onnx --input input=random:1 --input-shape input=1x3x64x64
              tessera run model.onnx --input x=x.npy --output-dir out --library openvino --explain
              tessera run seq.onnx --input xs=frames/ --output-dir out --output-format pb
            """
    )

    @Argument(help: "The .onnx model file.", completion: .file(extensions: ["onnx"]))
    var model: String

    @Option(
        name: .customLong("input"),
        help: ArgumentHelp("An input: name=FILE.npy or name=random[:SEED] (repeatable).", valueName: "name=source"))
    var inputs: [InputOption] = []

    @Option(
        name: .customLong("input-shape"),
        help: ArgumentHelp("The shape of a random input with dynamic dims, e.g. input=1x3x64x64.", valueName: "name=shape"))
    var inputShapes: [InputShapeOption] = []

    @Option(help: "Where to write OUTPUT.npy files (not written when omitted).")
    var outputDir: String?

    @Option(help: "npy (the default: a tensor as NAME.npy, a sequence as a folder NAME/ of 0.npy, 1.npy, …, a map as NAME/keys.npy and NAME/values.npy) or pb (NAME.pb as ONNX's test data: TensorProto, SequenceProto, MapProto, OptionalProto).")
    var outputFormat: OutputFormat = .npy

    @Option(help: "Use only this library: onnxruntime, openvino or reference.")
    var library: String?

    @Option(help: "Use only this device: an id (openvino:CPU), a route (GPU.0) or a kind (cpu, gpu).")
    var device: String?

    @Option(help: "Intra-op threads (default: the library's choice).")
    var threads: Int?

    @Option(help: "accurate (float32, the default) or fast (let the library use bfloat16/float16 where faster).")
    var precision: SessionOptions.Precision = .accurate

    @Flag(help: "Do not time the libraries on a first run; follow the policy order (or earlier measurements).")
    var noTune = false

    @Flag(help: "Print why the library and device were chosen, with the measured table.")
    var explain = false

    @Flag(help: "Print JSON (format in docs/json-output.md).")
    var json = false

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        try LibraryNames.validate(library)
    }

    func run() async throws {
        let url = URL(fileURLWithPath: model)
        let loaded = try Model(contentsOf: url)
        let summary = ModelSummary(model: loaded, schemas: try OperatorSchemas.standard())
        let catalog = BackendCatalog.discover()
        let shapes = inputShapes.byName.mapValues { $0.compactMap(\.value) }
        let values = try feeds(for: summary, shapes: shapes)
        let feeds = values.compactMapValues(\.tensor)
        // Sequences and optionals take the general path, on the policy's order: the speed
        // measurements time tensor feeds.
        let tensorsOnly = feeds.count == values.count && summary.inputs.count == values.count
            && summary.outputs.allSatisfy { $0.type?.tensorType != nil }
        let options = SessionOptions(threads: threads, precision: precision, cacheDirectory: Cache.directory, inputShapes: shapes)
        let reports = catalog.reports(for: summary)
        let policy = Selection(devices: catalog.devices(), reports: reports, library: library, device: device)
        let pairs = policy.ranked.compactMap { choice in
            catalog.backends.first { $0.id == choice.device.backend }.map { Tuner.Pair(device: choice.device, backend: $0) }
        }
        var profile: SpeedProfile?
        if pairs.count > 1, tensorsOnly {
            let conditions = SpeedProfile.Conditions(
                modelDigest: try FileDigest.sha256(of: url, rememberedIn: Cache.directory), inputShape: Tuner.shapeText(feeds), threads: threads,
                precision: precision)
            profile = await Tuner().currentProfile(
                conditions, label: url.lastPathComponent, pairs: pairs, model: url, options: options, directory: Cache.directory,
                measureMissing: !noTune, feeds: { _ in feeds }, log: { StandardError.write("tessera: \($0)") })
        }
        let selection = Selection(
            devices: catalog.devices(), reports: reports, profile: profile, library: library, device: device)
        if explain { selection.explanation.forEach { StandardError.write("explain: \($0)") } }

        let session = FallbackSession(
            model: url, devices: selection.ranked.map(\.device), backends: catalog.backends, options: options,
            onFailure: { StandardError.write("tessera: \($0)") })
        let outputs: [String: ModelValue] =
            tensorsOnly ? try await session.run(feeds).mapValues(ModelValue.tensor) : try await session.run(values: values)
        let used = await session.activeDevice
        try report(outputs, declared: summary.outputs, device: used)
    }

    /// One value per model input, from `--input`; every input must be given but an optional one
    /// (left out: absent).
    private func feeds(for summary: ModelSummary, shapes: [String: [Int]]) throws -> [String: ModelValue] {
        let given = Dictionary(inputs.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
        var feeds: [String: ModelValue] = [:]
        for input in summary.inputs {
            guard let option = given[input.name] else {
                if case .optional = input.type?.kind { continue }
                throw ValidationError("missing --input \(input.name)=FILE.npy|random (the model's inputs: \(summary.inputs.map(\.name).joined(separator: ", ")))")
            }
            feeds[input.name] = try option.value(for: input, shape: shapes[input.name])
        }
        for name in given.keys where !summary.inputs.contains(where: { $0.name == name }) {
            throw ValidationError("the model has no input '\(name)'")
        }
        return feeds
    }

    struct OutputReport: Encodable {
        var name: String
        var type: String
        var shape: [Int]
        var sha256: String
        var file: String?
    }

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
        case npy, pb
    }

    private func report(_ outputs: [String: ModelValue], declared: [ValueInfo], device: Device?) throws {
        var rows: [OutputReport] = []
        let directory = outputDir.map { URL(fileURLWithPath: $0) }
        if let directory { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true) }
        for (name, value) in outputs.sorted(by: { $0.key < $1.key }) {
            let tensors: [Tensor] =
                switch value {
                case .tensor(let tensor): [tensor]
                case .sequence(let sequence): sequence.elements
                case .map(let map): [map.keys, map.values]
                case .mapSequence(let maps): maps.flatMap { [$0.keys, $0.values] }
                case .absent: []
                }
            let bytes = tensors.reduce(into: Data()) { data, tensor in
                data.append(tensor.rawBytes ?? (tensor.strings ?? []).reduce(into: Data()) { $0.append($1) })
            }
            var file: String?
            if let directory {
                let type = declared.first { $0.name == name }?.type ?? .tensor(nil, nil)
                file = try write(value, type: type, named: name, in: directory)
            }
            let (typeText, shape): (String, [Int]) =
                switch value {
                case .tensor(let tensor): (tensor.dataType.description, tensor.shape)
                case .sequence(let sequence): ("seq(\(sequence.elementType))", [sequence.elements.count])
                case .map(let map): ("map(\(map.keys.dataType),\(map.values.dataType))", [map.count])
                case .mapSequence(let maps):
                    (maps.first.map { "seq(map(\($0.keys.dataType),\($0.values.dataType)))" } ?? "seq(map)", [maps.count])
                case .absent: ("absent", [])
                }
            rows.append(OutputReport(name: name, type: typeText, shape: shape, sha256: FileDigest.sha256(of: bytes), file: file))
        }
        if json {
            struct Result: Encodable {
                var schemaVersion = 1
                var device: String?
                var outputs: [OutputReport]
            }
            print(try JSONOutput.string(Result(device: device?.id.rawValue, outputs: rows)))
            return
        }
        if let device { print("ran on \(device.id) (\(device.name))") }
        var table = TextTable([("output", .left), ("type", .left), ("shape", .left), ("sha256", .left)])
        for row in rows {
            table.append([row.name, row.type, row.shape.map(String.init).joined(separator: "×"), String(row.sha256.prefix(16))])
        }
        print(table.render())
    }
}

extension Run {
    /// Writes one output under `directory` in ``outputFormat``; returns the path written, `nil`
    /// for an absent optional in `.npy` form. In `.npy` form a map is a folder holding
    /// `keys.npy` and `values.npy`, a sequence of maps a folder of such folders `0/`, `1/`, … . Files are written beside their target and renamed,
    /// so an interrupted run leaves no partial file.
    private func write(_ value: ModelValue, type: ValueType, named name: String, in directory: URL) throws -> String? {
        let safe = String(name.map { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == "." ? $0 : "_" })
        if outputFormat == .pb {
            let target = directory.appendingPathComponent(safe + ".pb")
            try value.serializedBytes(type: type).write(to: target, options: .atomic)
            return target.path
        }
        switch value {
        case .tensor(let tensor):
            let target = directory.appendingPathComponent(safe + ".npy")
            try tensor.npyData().write(to: target, options: .atomic)
            return target.path
        case .sequence(let sequence):
            let folder = try Self.freshFolder(safe, in: directory)
            for (index, element) in sequence.elements.enumerated() {
                try element.npyData().write(to: folder.appendingPathComponent("\(index).npy"), options: .atomic)
            }
            return folder.path
        case .map(let map):
            let folder = try Self.freshFolder(safe, in: directory)
            try Self.write(map, in: folder)
            return folder.path
        case .mapSequence(let maps):
            let folder = try Self.freshFolder(safe, in: directory)
            for (index, map) in maps.enumerated() {
                try Self.write(map, in: try Self.freshFolder("\(index)", in: folder))
            }
            return folder.path
        case .absent:
            return nil
        }
    }

    /// An empty folder `name` under `directory`, replacing what an earlier run left there.
    private static func freshFolder(_ name: String, in directory: URL) throws -> URL {
        let folder = directory.appendingPathComponent(name)
        try? FileManager.default.removeItem(at: folder)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    private static func write(_ map: TensorMap, in folder: URL) throws {
        try map.keys.npyData().write(to: folder.appendingPathComponent("keys.npy"), options: .atomic)
        try map.values.npyData().write(to: folder.appendingPathComponent("values.npy"), options: .atomic)
    }
}

/// Tessera's cache folder, as the model store defines it (`ModelStore.defaultRoot`).
enum Cache {
    static var directory: URL { ModelStore.defaultRoot() }
}
