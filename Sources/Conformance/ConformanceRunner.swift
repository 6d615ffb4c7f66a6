public import Foundation
public import InferenceRuntime
import ONNXModel
public import TensorCore

/// The outcome of one node case on one library.
public struct CaseResult: Sendable, Codable, Hashable {
    public enum Outcome: String, Sendable, Codable {
        /// Every data set's outputs matched.
        case passed
        /// The model loaded but an output was wrong or the run failed.
        case failed
        /// The library refused the model (an operator, type or attribute it lacks).
        case unsupported
        /// The case cannot be judged: random expected outputs, or inputs the harness cannot feed.
        case skipped
    }

    public var name: String
    /// The operator under test: the model's first node in the default domain.
    public var operatorType: String
    public var outcome: Outcome
    public var detail: String
}

/// Runs ONNX node cases against any ``Backend`` on one of its devices and judges the outputs.
public struct ConformanceRunner: Sendable {
    public var backend: any Backend
    public var device: Device
    public var tolerance: Tolerance

    public init(backend: any Backend, device: Device, tolerance: Tolerance = .onnxConformance) {
        self.backend = backend
        self.device = device
        self.tolerance = tolerance
    }

    /// Runs one case; never throws: every problem becomes an outcome with its detail.
    public func run(_ testCase: NodeTestCase) async -> CaseResult {
        let model: Model
        do { model = try Model(contentsOf: testCase.model) } catch {
            return CaseResult(name: testCase.name, operatorType: "?", outcome: .skipped, detail: "\(error)")
        }
        let op = model.graph.nodes.first?.opType ?? "?"
        func result(_ outcome: CaseResult.Outcome, _ detail: String) -> CaseResult {
            CaseResult(name: testCase.name, operatorType: op, outcome: outcome, detail: detail)
        }
        if ConformanceSuite.randomOutputCases.contains(testCase.name) {
            return result(.skipped, "expected outputs are random draws")
        }
        let inputs = model.graph.runtimeInputs
        if let unreadable = (inputs + model.graph.outputs).first(where: { !Self.isReadable($0.type) }) {
            return result(.skipped, "'\(unreadable.name)' is \(unreadable.type?.description ?? "untyped"), which the harness cannot read")
        }
        let session: any Session
        do {
            session = try await backend.makeSession(model: testCase.model, device: device, options: SessionOptions())
        } catch {
            return result(.unsupported, "\(error)")
        }
        for dataSet in testCase.dataSets {
            do {
                let feeds = try Self.values(in: dataSet, prefix: "input_", values: inputs)
                let expected = try Self.values(in: dataSet, prefix: "output_", values: model.graph.outputs)
                // Tensors only take the path the image pipeline takes; other values the general one.
                let actual: [String: ModelValue]
                if let tensors = Self.tensorsOnly(feeds), model.graph.outputs.allSatisfy({ $0.type?.tensorType != nil }) {
                    actual = try session.run(tensors).mapValues(ModelValue.tensor)
                } else {
                    actual = try session.run(values: feeds)
                }
                for (name, want) in expected.sorted(by: { $0.key < $1.key }) {
                    guard let got = actual[name] else { return result(.failed, "output '\(name)' missing") }
                    if let failure = got.compare(to: want, tolerance: tolerance) {
                        return result(.failed, "\(dataSet.lastPathComponent) output '\(name)': \(failure)")
                    }
                }
            } catch {
                return result(.failed, "\(dataSet.lastPathComponent): \(error)")
            }
        }
        return result(.passed, "")
    }

    /// Reads `prefix0.pb`, `prefix1.pb`, … (a `TensorProto`, `SequenceProto`, `MapProto` or `OptionalProto`
    /// by the graph's type) and keys them by the graph's names in order (the files' own names are
    /// often empty). The 1.12 test data stores bfloat16 payloads as uint16; where the model
    /// declares bfloat16, the same bytes are read as bfloat16.
    static func values(in dataSet: URL, prefix: String, values: [ValueInfo]) throws -> [String: ModelValue] {
        var result: [String: ModelValue] = [:]
        for (index, value) in values.enumerated() {
            let file = dataSet.appendingPathComponent("\(prefix)\(index).pb")
            guard FileManager.default.fileExists(atPath: file.path) else { continue }  // an omitted optional input
            let type = value.type ?? .tensor(nil, nil)
            var read: ModelValue
            do { read = try ModelValue(serializedBytes: Data(contentsOf: file), type: type) } catch {
                throw ValueFileError(file: file, reason: "\(error)")
            }
            if case .tensor(let tensor) = read, tensor.dataType == .uint16, type.tensorType?.elementType == .bfloat16,
                let bytes = tensor.rawBytes
            {
                read = .tensor(try Tensor(dataType: .bfloat16, shape: tensor.shape, bytes: bytes))
            }
            result[value.name] = read
        }
        return result
    }

    /// The tensors, when every value is one.
    private static func tensorsOnly(_ values: [String: ModelValue]) -> [String: Tensor]? {
        var tensors: [String: Tensor] = [:]
        for (name, value) in values {
            guard let tensor = value.tensor else { return nil }
            tensors[name] = tensor
        }
        return tensors
    }

    /// Whether the harness reads values of `type`: tensors, maps of int64 or string keys to
    /// tensors, sequences of either, optionals of tensors and sequences.
    private static func isReadable(_ type: ValueType?) -> Bool {
        switch type?.kind {
        case .tensor?: true
        case .map(let key?, let value?)?: (key == .int64 || key == .string) && value.tensorType != nil
        case .sequence(let element)?:
            element.map { element in if case .map = element.kind { isReadable(element) } else { element.tensorType != nil } } ?? true
        case .optional(let element)?: element.map(isReadable) ?? true
        default: false
        }
    }
}

/// A data file that could not be read as the value the graph declares.
public struct ValueFileError: Error, Sendable, CustomStringConvertible {
    public var file: URL
    public var reason: String
    public var description: String { "\(file.path): \(reason)" }
}
