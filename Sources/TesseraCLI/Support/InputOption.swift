import ArgumentParser
import Foundation
import Tessera

/// `--input name=FILE.npy` or `--input name=random[:SEED]`: one model input for `tessera run`.
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
