import Foundation
import TensorCore
import Testing

@Suite("Tensors")
struct TensorTests {
    @Test("Scalars round-trip through packed bytes")
    func scalars() throws {
        let t = try Tensor(shape: [2, 2], scalars: [1, 2, 3, 4] as [Float])
        #expect(t.byteCount == 16)
        #expect(try t.scalars(as: Float.self) == [1, 2, 3, 4])
        #expect(throws: TensorError.typeMismatch(expected: .int64, actual: .float32)) { try t.scalars(as: Int64.self) }
    }

    @Test("Shapes and payloads are checked")
    func validation() {
        #expect(throws: TensorError.sizeMismatch(expectedBytes: 16, actualBytes: 12)) {
            try Tensor(dataType: .float32, shape: [4], bytes: Data(count: 12))
        }
        #expect(throws: TensorError.negativeDimension(-1)) { try Tensor(dataType: .float32, shape: [-1], bytes: Data()) }
        #expect(throws: TensorError.self) { try Tensor(dataType: .float32, shape: [1 << 40, 1 << 40], bytes: Data()) }
        #expect(throws: TensorError.unknownDataType(99)) { try DataType(onnxCode: 99) }
    }

    @Test("Sub-byte types pack two or four elements per byte")
    func packedSizes() throws {
        #expect(try DataType.int4.byteCount(forElements: 5) == 3)
        #expect(try DataType.uint2.byteCount(forElements: 5) == 2)
        #expect(try DataType.bfloat16.byteCount(forElements: 3) == 6)
    }

    @Test("bfloat16 rounds to nearest even and keeps NaN")
    func bfloat16() {
        #expect(BFloat16(1.0).floatValue == 1.0)
        #expect(BFloat16(Float(bitPattern: 0x3F80_8000)).bitPattern == 0x3F80)  // tie, even stays
        #expect(BFloat16(Float(bitPattern: 0x3F81_8000)).bitPattern == 0x3F82)  // tie, odd rounds up
        #expect(BFloat16(.nan).floatValue.isNaN)
    }
}
