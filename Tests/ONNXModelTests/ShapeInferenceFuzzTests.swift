import Foundation
import ONNXModel
import TensorCore
import Testing
import TesseraTestSupport

/// Structure-aware fuzzing of shape inference: real node-test models with attributes, input
/// dims, constant values, operator types and opsets replaced by hostile values. Any outcome but a
/// crash is acceptable; inference either types the graph or throws an ONNXModelError.
@Suite("Shape inference survives mutated models")
struct ShapeInferenceFuzzTests {
    /// SplitMix64: small, seeded, reproducible.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let hostileInts: [Int64] = [
        0, 1, -1, 2, 3, -2, 7, Int64.max, Int64.min, 1 << 62, -(1 << 62), 1 << 40, (1 << 40) + 1, Int64(Int32.max), 1 << 31,
    ]
    static let hostileFloats: [Float] = [0, -1, 1, 0.5, 4, .nan, .infinity, -.infinity, 1e30, -1e-30]
    static let operators = [
        "Conv", "ConvTranspose", "MaxPool", "AveragePool", "Reshape", "Slice", "Pad", "Resize", "Upsample", "Split",
        "Squeeze", "Unsqueeze", "Concat", "Gather", "GatherND", "Expand", "Tile", "Transpose", "Flatten", "MatMul", "Gemm",
        "Einsum", "TopK", "ReduceSum", "ReduceMean", "OneHot", "Range", "ConstantOfShape", "DepthToSpace", "SpaceToDepth",
        "DFT", "STFT", "LSTM", "Loop", "Scan", "If", "Shape", "Size", "BatchNormalization", "LayerNormalization",
        "CenterCropPad", "MaxUnpool", "RoiAlign", "Unique", "Add", "Where", "ArgMax", "Softmax", "Einsum",
    ]

    static func hostileDim(_ random: inout Generator) -> Dim {
        switch Int.random(in: 0..<6, using: &random) {
        case 0: .unknown
        case 1: .symbol(["N", "H", "W"].randomElement(using: &random) ?? "N")
        default: .value(Int(hostileInts.randomElement(using: &random) ?? 0).clamped(to: 0...(1 << 40)))
        }
    }

    static func mutateAttribute(_ value: Attribute.Value, _ random: inout Generator) -> Attribute.Value {
        switch value {
        case .int: return .int(hostileInts.randomElement(using: &random) ?? 0)
        case .ints(var values):
            switch Int.random(in: 0..<3, using: &random) {
            case 0 where !values.isEmpty: values[Int.random(in: 0..<values.count, using: &random)] = hostileInts.randomElement(using: &random) ?? 0
            case 1 where !values.isEmpty: values.removeLast()
            default: values.append(hostileInts.randomElement(using: &random) ?? 0)
            }
            return .ints(values)
        case .float: return .float(hostileFloats.randomElement(using: &random) ?? 0)
        case .floats(var values):
            if !values.isEmpty { values[Int.random(in: 0..<values.count, using: &random)] = hostileFloats.randomElement(using: &random) ?? 0 }
            return .floats(values)
        case .string:
            let texts = ["", "SAME_UPPER", "VALID", "bidirectional", "none", "ij,jk->ik", "...,..->", "a...b...", "xyz"]
            return .string(Data((texts.randomElement(using: &random) ?? "").utf8))
        default: return .int(hostileInts.randomElement(using: &random) ?? 0)
        }
    }

    /// Applies one to three random mutations.
    static func mutate(_ model: Model, _ random: inout Generator) throws -> Model {
        var model = model
        for _ in 0..<Int.random(in: 1...3, using: &random) {
            let nodeCount = model.graph.nodes.count
            switch Int.random(in: 0..<7, using: &random) {
            case 0 where nodeCount > 0:
                let index = Int.random(in: 0..<nodeCount, using: &random)
                guard !model.graph.nodes[index].attributes.isEmpty else { continue }
                let a = Int.random(in: 0..<model.graph.nodes[index].attributes.count, using: &random)
                model.graph.nodes[index].attributes[a].value = mutateAttribute(model.graph.nodes[index].attributes[a].value, &random)
            case 1 where !model.graph.inputs.isEmpty:
                let index = Int.random(in: 0..<model.graph.inputs.count, using: &random)
                guard case .tensor(var tensor)? = model.graph.inputs[index].type?.kind else { continue }
                var dims = tensor.dims ?? []
                switch Int.random(in: 0..<4, using: &random) {
                case 0 where !dims.isEmpty: dims[Int.random(in: 0..<dims.count, using: &random)] = hostileDim(&random)
                case 1 where !dims.isEmpty: dims.removeLast()
                case 2: dims.append(hostileDim(&random))
                default: tensor.dims = nil
                }
                if tensor.dims != nil { tensor.dims = dims }
                model.graph.inputs[index].type = ValueType(.tensor(tensor))
            case 2 where !model.graph.initializers.isEmpty:
                let index = Int.random(in: 0..<model.graph.initializers.count, using: &random)
                let tensor = model.graph.initializers[index].tensor
                let count = Int.random(in: 0...4, using: &random)
                let values = (0..<count).map { _ in hostileInts.randomElement(using: &random) ?? 0 }
                let shape = count == 1 && Bool.random(using: &random) ? [] : [count]
                model.graph.initializers[index].tensor =
                    tensor.dataType == .float32
                    ? try Tensor(shape: shape, scalars: values.map { Float($0) })
                    : try Tensor(shape: shape, scalars: values)
            case 3 where nodeCount > 0:
                let index = Int.random(in: 0..<nodeCount, using: &random)
                model.graph.nodes[index].opType = operators.randomElement(using: &random) ?? "Conv"
            case 4 where nodeCount > 0:
                let index = Int.random(in: 0..<nodeCount, using: &random)
                if Bool.random(using: &random), !model.graph.nodes[index].inputs.isEmpty {
                    model.graph.nodes[index].inputs[Int.random(in: 0..<model.graph.nodes[index].inputs.count, using: &random)] = ""
                } else {
                    model.graph.nodes[index].inputs.append(model.graph.inputs.first?.name ?? "")
                }
            case 5:
                model.opsetImports = [OpsetImport(domain: "", version: Int64.random(in: 1...24, using: &random))]
            default:
                if nodeCount > 0 {
                    let index = Int.random(in: 0..<nodeCount, using: &random)
                    let name = ["kernel_shape", "axes", "pads", "perm", "axis", "split", "strides", "output_shape"]
                        .randomElement(using: &random) ?? "axis"
                    model.graph.nodes[index].attributes.append(
                        Attribute(name: name, value: mutateAttribute(.ints([1, 2]), &random)))
                }
            }
        }
        return model
    }

    @Test("Seeded mutants of every node-test model never crash inference")
    func fuzzNodeTests() throws {
        let seeds = try Fixtures.onnxTestDataModels().filter { $0.path.contains("/node/") }
        #expect(seeds.count > 900)
        var random = Generator(state: 0x5AFE_5A9E)
        var inferred = 0, rejected = 0
        for url in seeds {
            let original = try Model(contentsOf: url)
            for _ in 0..<12 {
                let mutant = try Self.mutate(original, &random)
                do {
                    _ = try mutant.inferTypes()
                    inferred += 1
                } catch {
                    rejected += 1
                }
            }
        }
        print("shape inference fuzz: \(inferred) mutants inferred, \(rejected) rejected with an error")
        #expect(inferred + rejected == seeds.count * 12)
        #expect(rejected > 0)
    }
}

extension Int {
    fileprivate func clamped(to range: ClosedRange<Int>) -> Int { Swift.min(Swift.max(self, range.lowerBound), range.upperBound) }
}
