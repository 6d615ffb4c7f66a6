import ArgumentParser
import Foundation
import Tessera

/// `--input name=FILE.npy`, `name=FILE.pb`, `name=FOLDER` or `name=random[:SEED]`: one model
/// input for `tessera run`. A `.pb` file holds a `TensorProto`, `SequenceProto`, `MapProto` or `OptionalProto`
/// (as ONNX's test data stores them), read as the model declares the input; a folder holds a
/// sequence, one `.npy` per element named `0.npy`, `1.npy`, …, or for a map input its
/// `keys.npy` and `values.npy`.
struct InputOption: ExpressibleByArgument, Sendable {
    enum Source: Sendable {
        case file(String)
        case random(seed: UInt64)

        /// `random`, `random:SEED` or a file path; `nil` for an empty value or a bad seed.
        init?(_ value: String) {
            if value == "random" {
                self = .random(seed: 0)
            } else if value.hasPrefix("random:") {
                guard let seed = UInt64(value.dropFirst("random:".count)) else { return nil }
                self = .random(seed: seed)
            } else if value.isEmpty {
                return nil
            } else {
                self = .file(value)
            }
        }
    }

    var name: String
    var source: Source

    init(name: String, source: Source) {
        self.name = name
        self.source = source
    }

    init?(argument: String) {
        guard let equals = argument.firstIndex(of: "=") else { return nil }
        name = String(argument[..<equals])
        let value = String(argument[argument.index(after: equals)...])
        guard !name.isEmpty, let source = Source(value) else { return nil }
        self.source = source
    }

    /// Reads or generates the value for the model input `input`: a `.pb` file or a folder of
    /// `.npy` elements for any value, else a tensor as ``tensor(for:shape:)`` makes it.
    func value(for input: ValueInfo, shape: [Int]?) throws -> ModelValue {
        guard case .file(let path) = source else { return .tensor(try tensor(for: input, shape: shape)) }
        let url = URL(fileURLWithPath: path)
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
            if case .map = input.type?.kind { return try Self.map(in: url) }
            return try Self.sequence(in: url, declared: input)
        }
        guard url.pathExtension == "pb" else { return .tensor(try tensor(for: input, shape: shape)) }
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw CLIError("\(path): cannot read: \(error.localizedDescription)") }
        do { return try ModelValue(serializedBytes: data, type: input.type ?? .tensor(nil, nil)) } catch {
            throw CLIError("\(path): \(error)")
        }
    }

    /// A sequence from `folder`'s `0.npy`, `1.npy`, …; an empty folder is an empty sequence of
    /// the declared element type.
    private static func sequence(in folder: URL, declared input: ValueInfo) throws -> ModelValue {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: folder.path) } catch {
            throw CLIError("\(folder.path): cannot read: \(error.localizedDescription)")
        }
        let files = names.filter { !$0.hasPrefix(".") }
        var elements = [Tensor?](repeating: nil, count: files.count)
        for name in files {
            guard name.hasSuffix(".npy"), let index = Int(name.dropLast(4)), index >= 0, index < files.count else {
                throw CLIError("\(folder.appendingPathComponent(name).path): a sequence folder holds 0.npy … \(files.count - 1).npy only")
            }
            let file = folder.appendingPathComponent(name)
            do { elements[index] = try Tensor(npy: Data(contentsOf: file)) } catch { throw CLIError("\(file.path): \(error)") }
        }
        let tensors = elements.compactMap { $0 }
        let declared: DataType? = if case .sequence(let element) = input.type?.kind { element?.tensorType?.elementType } else { nil }
        do {
            return .sequence(try TensorSequence(elementType: tensors.first?.dataType ?? declared ?? .float32, elements: tensors))
        } catch {
            throw CLIError("\(folder.path): \(error)")
        }
    }

    /// A map from `folder`'s `keys.npy` and `values.npy`, as `tessera run` writes one.
    private static func map(in folder: URL) throws -> ModelValue {
        func read(_ name: String) throws -> Tensor {
            let file = folder.appendingPathComponent(name)
            do { return try Tensor(npy: Data(contentsOf: file)) } catch { throw CLIError("\(file.path): \(error)") }
        }
        do { return .map(try TensorMap(keys: try read("keys.npy"), values: try read("values.npy"))) } catch let error as TensorError {
            throw CLIError("\(folder.path): \(error)")
        }
    }

    /// Reads or generates the tensor for the model input `input`, using `shape` where its dims are dynamic.
    func tensor(for input: ValueInfo, shape: [Int]?) throws -> Tensor {
        let type = input.type?.tensorType
        return try tensor(
            for: TensorDescription(
                name: input.name, dataType: type?.elementType ?? .float32, dims: type?.dims?.map(\.value) ?? []),
            shape: shape)
    }

    private func tensor(for description: TensorDescription, shape: [Int]?) throws -> Tensor {
        switch source {
        case .file(let path):
            let data: Data
            do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
                throw CLIError("\(path): cannot read: \(error.localizedDescription)")
            }
            do { return try Tensor(npy: data) } catch { throw CLIError("\(path): \(error)") }
        case .random(let seed):
            let dims = try shape ?? description.dims.map { dim in
                guard let dim else {
                    throw ValidationError(
                        "input '\(name)' has dynamic dimensions; give them with --input-shape \(name)=1x3x64x64")
                }
                return dim
            }
            do { return try Tensor.random(description.dataType, shape: dims, seed: seed) } catch {
                throw CLIError("input '\(name)': \(error); give a .npy file")
            }
        }
    }
}

/// An error the CLI reports as one line, exit status 1.
struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
