import Foundation
import ONNXModel
import Testing
import TensorCore
import TesseraTestSupport

@Suite("Mutated real models never crash or hang the loader")
struct LoaderFuzzTests {
    /// A bounded, seeded campaign: each mutant goes through load, validation, shape inference and
    /// the statistics `inspect` prints. Any outcome but a crash is acceptable; errors are typed
    /// (`ONNXModelError`), so a wrong kind cannot even compile.
    @Test("Bounded fuzz over real models")
    func fuzz() throws {
        let seeds = try Fixtures.onnxTestDataModels().filter {
            ["test_conv_with_strides_padding", "test_resize_upsample_scales_linear", "test_reshape_extended_dims",
             "test_maxpool_2d_pads", "test_gemm_default_no_bias", "test_depthtospace_crd_mode_example",
             "test_convtranspose_pads", "test_slice", "test_if", "test_loop11"]
                .contains($0.deletingLastPathComponent().lastPathComponent)
        } + [try #require(try Fixtures.lightModels().first { $0.lastPathComponent == "light_squeezenet.onnx" })]
        #expect(seeds.count >= 8)

        var generator = SeededGenerator(seed: 0x7E55_E7A)
        var outcomes: [String: Int] = [:]
        for seed in seeds {
            let original = try Data(contentsOf: seed)
            // The big model gets fewer mutants: each one costs a full parse.
            let iterations = original.count > 100_000 ? 40 : 300
            for _ in 0..<iterations {
                let mutant = Self.mutate(original, using: &generator)
                outcomes[Self.exercise(mutant), default: 0] += 1
            }
        }
        print("fuzz outcomes: \(outcomes.sorted { $0.key < $1.key })")
        #expect(outcomes.values.reduce(0, +) > 3000)
    }

    private static func exercise(_ bytes: Data) -> String {
        do throws(ONNXModelError) {
            let model = try Model(serializedBytes: bytes)
            try model.validate()
            let types = try model.inferTypes()
            _ = ModelStatistics(model)
            _ = ComputeCost(model: model, types: types)
            _ = try model.serializedBytes()
            return "accepted"
        } catch {
            switch error {
            case .notAModel: return "not a model"
            case .invalidGraph, .invalidNode: return "invalid graph"
            default: return "other model error"
            }
        }
    }

    private static func mutate(_ data: Data, using generator: inout SeededGenerator) -> Data {
        var bytes = [UInt8](data)
        let edits = Int.random(in: 1...4, using: &generator)
        for _ in 0..<edits where !bytes.isEmpty {
            let position = Int.random(in: 0..<bytes.count, using: &generator)
            switch Int.random(in: 0..<6, using: &generator) {
            case 0: bytes[position] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &generator)
            case 1: bytes[position] = UInt8.random(in: 0...255, using: &generator)
            case 2: bytes.removeSubrange(position..<min(bytes.count, position + Int.random(in: 1...16, using: &generator)))
            case 3:
                let length = min(bytes.count - position, Int.random(in: 1...32, using: &generator))
                bytes.insert(contentsOf: bytes[position..<position + length], at: position)
            case 4: bytes = Array(bytes.prefix(position))
            default:
                // Large varints where lengths and dimensions live.
                bytes.insert(contentsOf: [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x3F], at: position)
            }
        }
        return Data(bytes)
    }
}
