import Foundation
import ONNXModel
import TensorCore

/// Accumulates the ONNX graph while the importer walks the ncnn layers.
///
/// ncnn blob names become ONNX value names unchanged (they are unique in a valid `.param`), except
/// where a layer is a pure alias (Split, Noop): then the blob maps onto the value it copies.
struct NCNNGraphBuilder {
    let paramPath: String
    let opset: Int
    let float16Weights: Bool
    var weights: NCNNWeightReader

    private(set) var nodes: [Node] = []
    private(set) var initializers: [StoredTensor] = []
    /// Graph inputs in file order, with the channel count once a consumer reveals it.
    private(set) var inputs: [(name: String, channels: Int?)] = []
    private var aliases: [String: String] = [:]
    private var names = UniqueNames()
    /// Values read by some node, so the unread ones become graph outputs.
    private(set) var consumed: Set<String> = []
    private(set) var produced: [String] = []
    /// The ncnn layer each emitted node comes from, so a failing node can be traced back.
    private(set) var layerOfNode: [String: String] = [:]
    /// The rank and known sizes of every ncnn blob seen so far, by blob name.
    private var shapes: [String: NCNNBlobShape] = [:]

    init(paramPath: String, opset: Int, float16Weights: Bool, weights: NCNNWeightReader) {
        self.paramPath = paramPath
        self.opset = opset
        self.float16Weights = float16Weights
        self.weights = weights
    }

    // MARK: Values

    /// The ONNX value a blob stands for.
    func value(_ blob: String) -> String { aliases[blob] ?? blob }

    /// Marks `blob` as another name of `value` (Split outputs, identity layers).
    mutating func alias(_ blob: String, to value: String) { aliases[blob] = value }

    /// The shape the importer follows for `blob` (a 3-D image blob until a layer says otherwise).
    func shape(of blob: String) -> NCNNBlobShape { shapes[blob] ?? .image(channels: nil) }

    mutating func setShape(_ shape: NCNNBlobShape, of blob: String) { shapes[blob] = shape }

    mutating func addInput(_ blob: String, channels: Int?) {
        inputs.append((blob, channels))
        names.reserve(blob)
        produced.append(blob)
    }

    /// Records the channel count of a graph input when a convolution first reads it.
    mutating func noteChannels(_ channels: Int, of value: String) {
        guard let index = inputs.firstIndex(where: { $0.name == value }), inputs[index].channels == nil else { return }
        inputs[index].channels = channels
    }

    /// A value name derived from `base` that nothing else uses.
    mutating func fresh(_ base: String) -> String { names.fresh(base) }

    // MARK: Nodes

    /// Appends a node; `inputs` are ONNX value names ("" for an omitted optional input).
    mutating func emit(
        _ opType: String, name: String, inputs: [String], outputs: [String], attributes: [Attribute] = []
    ) {
        consumed.formUnion(inputs.filter { !$0.isEmpty })
        for output in outputs {
            names.reserve(output)
            produced.append(output)
        }
        let nodeName = fresh("\(name)/\(opType)")
        layerOfNode[nodeName] = name
        nodes.append(Node(name: nodeName, opType: opType, inputs: inputs, outputs: outputs, attributes: attributes))
    }

    // MARK: Constants

    /// Adds a weight tensor. With `float16Weights` the initializer holds float16 and a Cast node
    /// widens it, so the file halves while every operator still computes in float32.
    mutating func weight(_ base: String, shape: [Int], blob: NCNNWeightBlob, layer: NCNNLayer) throws(NCNNImportError) -> String {
        let name = fresh(base)
        do {
            if float16Weights {
                let stored = fresh("\(base)_fp16")
                // Built from bit patterns: Float16's TensorScalar conformance is not on every platform.
                var bytes = Data(capacity: blob.values.count * 2)
                for value in blob.values {
                    let bits = Float16(value).bitPattern
                    bytes.append(UInt8(truncatingIfNeeded: bits))
                    bytes.append(UInt8(truncatingIfNeeded: bits >> 8))
                }
                initializers.append(StoredTensor(name: stored, tensor: try Tensor(dataType: .float16, shape: shape, bytes: bytes)))
                names.reserve(stored)
                nodes.append(
                    Node(
                        name: fresh("\(base)/Cast"), opType: "Cast", inputs: [stored], outputs: [name],
                        attributes: [Attribute(name: "to", value: .int(Int64(DataType.float32.rawValue)))]))
            } else {
                initializers.append(StoredTensor(name: name, tensor: try Tensor(shape: shape, scalars: blob.values)))
            }
        } catch {
            throw .unsupportedParameters(
                path: paramPath, line: layer.line, layer: layer.name, reason: "weights do not fit shape \(shape): \(error)")
        }
        return name
    }

    /// Adds a small float32 constant (scales, scalar operands), never stored as float16.
    mutating func floats(_ base: String, shape: [Int], _ values: [Float]) -> String {
        let name = fresh(base)
        if let tensor = try? Tensor(shape: shape, scalars: values) {
            initializers.append(StoredTensor(name: name, tensor: tensor))
        }
        return name
    }

    /// Adds a small int64 constant (pads, shapes, axes).
    mutating func int64s(_ base: String, _ values: [Int64]) -> String {
        let name = fresh(base)
        if let tensor = try? Tensor(shape: [values.count], scalars: values) {
            initializers.append(StoredTensor(name: name, tensor: tensor))
        }
        return name
    }

    // MARK: Parameters

    func fail(_ layer: NCNNLayer, _ reason: String) -> NCNNImportError {
        .unsupportedParameters(path: paramPath, line: layer.line, layer: layer.name, reason: reason)
    }

    /// Integer parameter `id`, or `fallback` when absent.
    func int(_ layer: NCNNLayer, _ id: Int, _ fallback: Int) throws(NCNNImportError) -> Int {
        switch layer.params[id] {
        case nil: return fallback
        case .int(let value): return value
        case .word(let bits): return Int(Int32(bitPattern: bits))
        case .float(let value) where value.rounded() == value && abs(value) < 1e9: return Int(value)
        default: throw fail(layer, "parameter \(id) must be an integer")
        }
    }

    /// Float parameter `id`, or `fallback` when absent (integers are accepted).
    func float(_ layer: NCNNLayer, _ id: Int, _ fallback: Float) throws(NCNNImportError) -> Float {
        switch layer.params[id] {
        case nil: return fallback
        case .int(let value): return Float(value)
        case .float(let value): return value
        case .word(let bits): return Float(bitPattern: bits)
        case .array: throw fail(layer, "parameter \(id) must be a number, not an array")
        case .string: throw fail(layer, "parameter \(id) must be a number, not a string")
        }
    }

    /// String parameter `id`, or nil when absent.
    func string(_ layer: NCNNLayer, _ id: Int) throws(NCNNImportError) -> String? {
        switch layer.params[id] {
        case nil: return nil
        case .string(let text): return text
        default: throw fail(layer, "parameter \(id) must be a string")
        }
    }

    /// Array parameter `id` as floats; empty when absent.
    func floatArray(_ layer: NCNNLayer, _ id: Int) throws(NCNNImportError) -> [Float] {
        switch layer.params[id] {
        case nil: return []
        case .array(let items):
            var values: [Float] = []
            for item in items {
                switch item {
                case .int(let value): values.append(Float(value))
                case .float(let value): values.append(value)
                case .word(let bits): values.append(Float(bitPattern: bits))
                case .array, .string: throw fail(layer, "parameter \(id) must hold numbers")
                }
            }
            return values
        default: throw fail(layer, "parameter \(id) must be an array")
        }
    }

    /// Array parameter `id` as integers (crop bounds, slice sizes); empty when absent.
    func intArray(_ layer: NCNNLayer, _ id: Int) throws(NCNNImportError) -> [Int] {
        switch layer.params[id] {
        case nil: return []
        case .array(let items):
            var values: [Int] = []
            for item in items {
                switch item {
                case .int(let value): values.append(value)
                case .word(let bits): values.append(Int(Int32(bitPattern: bits)))
                case .float(let value) where value.rounded() == value && abs(value) < 1e9: values.append(Int(value))
                default: throw fail(layer, "parameter \(id) must hold integers")
                }
            }
            return values
        default: throw fail(layer, "parameter \(id) must be an array")
        }
    }

    /// Product of sizes from the file, overflow-checked.
    func product(_ layer: NCNNLayer, _ factors: [Int]) throws(NCNNImportError) -> Int {
        var result = 1
        for factor in factors {
            guard factor >= 0 else { throw fail(layer, "negative size \(factor)") }
            let (next, overflow) = result.multipliedReportingOverflow(by: factor)
            guard !overflow else { throw fail(layer, "sizes \(factors) overflow") }
            result = next
        }
        return result
    }

    /// Ensures the layer reads and writes the expected number of blobs.
    func expect(_ layer: NCNNLayer, inputs: ClosedRange<Int>, outputs: Int = 1) throws(NCNNImportError) {
        guard inputs.contains(layer.inputs.count), layer.outputs.count == outputs else {
            throw fail(
                layer, "\(layer.type) needs \(inputs.lowerBound == inputs.upperBound ? "\(inputs.lowerBound)" : "\(inputs)") inputs and \(outputs) output(s), found \(layer.inputs.count) and \(layer.outputs.count)")
        }
    }
}
