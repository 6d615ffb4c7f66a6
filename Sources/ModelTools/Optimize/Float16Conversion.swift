import ONNXModel
import TensorCore

/// `float16`: computes in float16 inside the model while its inputs and outputs stay float32.
///
/// Float32 initializers, constants, Cast targets and `value_info` types become float16; a Cast
/// after each float32 graph input and before each float32 graph output keeps the interface.
/// Inputs whose type the operator fixes to float32 regardless of the data (Resize's roi and
/// scales, Upsample's scales) stay float32. Outputs move by about float16's rounding (2⁻¹¹
/// relative per operation); the tests measure the error on the light and Real-ESRGAN models.
struct Float16Conversion: OptimizationPass {
    let name = "float16"

    /// Input positions that stay float32 whatever the data type is.
    private static let float32Inputs: [String: Set<Int>] = ["Resize": [1, 2], "Upsample": [1]]

    func run(on model: inout Model) throws(OptimizeError) -> PassChanges {
        let types = (try? model.inferTypes().values) ?? [:]
        var graph = model.graph
        var names = UniqueNames(graph: graph)
        var changes = PassChanges()
        let initializerNames = Set(graph.initializers.map(\.name))
        func isFloat32(_ value: String) -> Bool { types[value]?.tensorType?.elementType == .float32 }

        // Values read where float32 is required: initializers stay float32 (a copy when they are
        // also read elsewhere), computed values get a Cast back to float32.
        var keptInitializers: Set<String> = []
        var index = 0
        while index < graph.nodes.count {
            let node = graph.nodes[index]
            for position in Self.float32Inputs[node.opType, default: []] where position < node.inputs.count {
                let value = node.inputs[position]
                guard !value.isEmpty, isFloat32(value) else { continue }
                if initializerNames.contains(value) {
                    keptInitializers.insert(value)
                    continue
                }
                let widened = names.fresh(value + "_fp32")
                graph.nodes.insert(Self.cast(value, to: widened, .float32, names: &names), at: index)
                index += 1
                graph.nodes[index].inputs[position] = widened
                changes.nodesAdded += 1
            }
            index += 1
        }
        let readers = graph.consumers()

        // Initializers.
        var converted: [StoredTensor] = []
        for initializer in graph.initializers {
            guard initializer.tensor.dataType == .float32 else {
                converted.append(initializer)
                continue
            }
            let users = readers[initializer.name] ?? []
            let onlyKept = keptInitializers.contains(initializer.name) && users.allSatisfy { user in
                let node = graph.nodes[user]
                return node.inputs.enumerated().allSatisfy { position, name in
                    name != initializer.name || Self.float32Inputs[node.opType, default: []].contains(position)
                }
            }
            if onlyKept {
                converted.append(initializer)
                continue
            }
            if keptInitializers.contains(initializer.name) {
                // Read both ways: the float32 original under a new name for the fixed-type positions.
                let original = names.fresh(initializer.name + "_fp32")
                converted.append(StoredTensor(name: original, tensor: initializer.tensor))
                for user in users {
                    for position in Self.float32Inputs[graph.nodes[user].opType, default: []]
                    where position < graph.nodes[user].inputs.count && graph.nodes[user].inputs[position] == initializer.name {
                        graph.nodes[user].inputs[position] = original
                    }
                }
            }
            do { converted.append(StoredTensor(name: initializer.name, tensor: try Self.half(initializer.tensor))) } catch {
                throw .passFailed(pass: name, node: "initializer '\(initializer.name)'", reason: "\(error)")
            }
            changes.initializersChanged += 1
        }
        graph.initializers = converted
        changes.count("initializers converted", changes.initializersChanged)

        // Attributes that fix a float32 result type.
        for position in graph.nodes.indices {
            do { try Self.convertAttributes(of: &graph.nodes[position]) } catch {
                throw .passFailed(pass: name, node: graph.nodes[position].label(index: position), reason: "\(error)")
            }
        }

        // The interface stays float32.
        let interface = Set(graph.inputs.map(\.name)).union(initializerNames)
        for input in graph.runtimeInputs where input.type?.tensorType?.elementType == .float32 {
            let narrowed = names.fresh(input.name + "_fp16")
            graph.replaceUses(of: input.name, with: narrowed)
            graph.nodes.insert(Self.cast(input.name, to: narrowed, .float16, names: &names), at: 0)
            changes.nodesAdded += 1
        }
        let producers = graph.producers()
        for output in graph.outputs where output.type?.tensorType?.elementType == .float32 && !interface.contains(output.name) {
            guard let producer = producers[output.name], let slot = graph.nodes[producer].outputs.firstIndex(of: output.name) else { continue }
            let narrowed = names.fresh(output.name + "_fp16")
            graph.nodes[producer].outputs[slot] = narrowed
            graph.replaceUses(of: output.name, with: narrowed)
            graph.nodes.append(Self.cast(narrowed, to: output.name, .float32, names: &names))
            changes.nodesAdded += 1
        }
        changes.count("boundary Casts inserted", changes.nodesAdded)

        graph.valueInfo = graph.valueInfo.map { info in
            guard var tensorType = info.type?.tensorType, tensorType.elementType == .float32 else { return info }
            tensorType.elementType = .float16
            return ValueInfo(name: info.name, type: ValueType(.tensor(tensorType)), docString: info.docString)
        }
        model.graph = graph
        return changes
    }

    private static func cast(_ input: String, to output: String, _ type: DataType, names: inout UniqueNames) -> Node {
        Node(
            name: names.fresh("\(output)_cast"), opType: "Cast", inputs: [input], outputs: [output],
            attributes: [Attribute(name: "to", value: .int(Int64(type.rawValue)))])
    }

    /// Cast to float32 now casts to float16; float32 Constant and ConstantOfShape values become float16.
    private static func convertAttributes(of node: inout Node) throws {
        guard node.domain.isEmpty else { return }
        switch node.opType {
        case "Cast":
            if node.int("to", default: 0) == Int64(DataType.float32.rawValue) {
                node.attributes = node.attributes.map { $0.name == "to" ? Attribute(name: "to", value: .int(Int64(DataType.float16.rawValue))) : $0 }
            }
        case "Constant", "ConstantOfShape":
            if let position = node.attributes.firstIndex(where: { $0.name == "value" }) {
                guard case .tensor(var stored) = node.attributes[position].value, stored.tensor.dataType == .float32 else { return }
                stored.tensor = try half(stored.tensor)
                node.attributes[position].value = .tensor(stored)
            } else if node.opType == "ConstantOfShape" {
                // The default value is a float32 zero.
                let zero = StoredTensor(name: "value", tensor: try Tensor(shape: [1], scalars: [Float16(0)]))
                node.attributes.append(Attribute(name: "value", value: .tensor(zero)))
            }
        default:
            break
        }
    }

    /// The float32 tensor rounded to float16.
    private static func half(_ tensor: Tensor) throws -> Tensor {
        try Tensor(shape: tensor.shape, scalars: try tensor.scalars(as: Float.self).map { Float16($0) })
    }
}
