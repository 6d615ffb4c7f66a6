import Foundation
import ModelTools
import Tessera
import Testing
import TesseraTestSupport

/// Small synthetic ncnn models, one layer family each, run by ncnn and by ONNX Runtime after import.
@Suite("Each supported ncnn layer matches ncnn after import")
struct LayerImportTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        /// Layer lines after `Input data`; the last layer writes `output`.
        var layers: [String]
        /// Weight blobs in file order: (flagged, count). Flagged blobs get a float32 (0) flag, or a
        /// float16 flag when `half` is set.
        var blobs: [(flagged: Bool, count: Int)] = []
        var channels = 3
        var half = false
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "ConvolutionDepthWise, ReLU fused", layers: [
            "ConvolutionDepthWise dw 1 1 data output 0=6 1=3 3=2 4=1 5=1 6=54 7=3 9=1",
        ], blobs: [(true, 54), (false, 6)]),
        Case(name: "Convolution: rectangular kernel, dilation, stride, asymmetric pads, clip", layers: [
            "Convolution c 1 1 data output 0=4 1=3 11=2 2=2 13=2 4=1 14=0 15=2 16=1 5=1 6=72 9=3 -23310=2,-5.000000e-01,5.000000e-01",
        ], blobs: [(true, 72), (false, 4)]),
        Case(name: "Convolution: SAME padding, float16 weights, sigmoid", layers: [
            "Convolution c 1 1 data output 0=4 1=3 3=2 4=-233 5=0 6=108 9=4",
        ], blobs: [(true, 108)], half: true),
        Case(name: "Convolution: leaky ReLU and hard-swish", layers: [
            "Convolution c 1 1 data c1 0=4 1=1 5=1 6=12 9=2 -23310=1,1.000000e-01",
            "Convolution d 1 1 c1 output 0=4 1=1 5=0 6=16 9=6 -23310=2,2.000000e-01,5.000000e-01",
        ], blobs: [(true, 12), (false, 4), (true, 16)]),
        Case(name: "Deconvolution with padding and bias", layers: [
            "Deconvolution d 1 1 data output 0=4 1=3 3=2 4=1 5=1 6=108",
        ], blobs: [(true, 108), (false, 4)]),
        Case(name: "DeconvolutionDepthWise", layers: [
            "DeconvolutionDepthWise d 1 1 data output 0=6 1=4 3=2 4=1 5=0 6=96 7=3",
        ], blobs: [(true, 96)]),
        Case(name: "Interp bilinear ×2", layers: ["Interp i 1 1 data output 0=2 1=2.000000e+00 2=2.000000e+00"]),
        Case(name: "Interp bicubic ×2", layers: ["Interp i 1 1 data output 0=3 1=2.000000e+00 2=2.000000e+00"]),
        Case(name: "Interp nearest ×3", layers: ["Interp i 1 1 data output 0=1 1=3.000000e+00 2=3.000000e+00"]),
        Case(name: "Interp bilinear to a fixed size", layers: ["Interp i 1 1 data output 0=2 3=13 4=7"]),
        Case(name: "PixelShuffle mode 0 (CRD)", layers: ["PixelShuffle p 1 1 data output 0=2"], channels: 8),
        Case(name: "PixelShuffle mode 1 (DCR)", layers: ["PixelShuffle p 1 1 data output 0=2 1=1"], channels: 8),
        Case(name: "Split, ReLU slope, BinaryOp rsub scalar, Eltwise max/prod/weighted sum, Concat", layers: [
            "Split s 1 4 data a b c d",
            "ReLU r 1 1 a a1 0=1.000000e-01",
            "BinaryOp b 1 1 b b1 0=7 1=1 2=5.000000e-01",
            "Eltwise m 2 1 a1 b1 m1 0=2",
            "Eltwise p 2 1 m1 c p1 0=0",
            "Eltwise w 2 1 p1 d w1 0=1 -23301=2,2.000000e-01,-1.500000e+00",
            "Concat k 2 1 w1 m1x output 0=0",
        ]),
        Case(name: "Padding reflect, edge and constant", layers: [
            "Split s 1 3 data a b c",
            "Padding p1 1 1 a a1 0=1 1=2 2=2 3=0 4=2",
            "Padding p2 1 1 b b1 0=1 1=2 2=2 3=0 4=1",
            "Padding p3 1 1 c c1 0=1 1=2 2=2 3=0 4=0 5=2.500000e-01",
            "Concat k 3 1 a1 b1 c1 output 0=0",
        ]),
        Case(name: "Pooling max (full padding) and average (valid)", layers: [
            "Split s 1 2 data a b",
            "Pooling p1 1 1 a a1 0=0 1=3 2=2 3=1 5=0",
            "Pooling p2 1 1 b b1 0=1 1=2 2=2 5=1",
            "Interp i 1 1 b1 b2 0=1 3=5 4=6",
            "Concat k 2 1 a1 b2 output 0=0",
        ]),
        Case(name: "Global pooling, InnerProduct", layers: [
            "Pooling g 1 1 data g1 0=1 4=1",
            "InnerProduct fc 1 1 g1 output 0=5 1=1 2=15 9=1",
        ], blobs: [(true, 15), (false, 5)]),
        Case(name: "Sigmoid, TanH, Clip, AbsVal", layers: [
            "Sigmoid s 1 1 data s1", "TanH t 1 1 s1 t1", "AbsVal a 1 1 t1 a1",
            "Clip c 1 1 a1 output 0=1.000000e-01 1=6.000000e-01",
        ]),
        Case(name: "Permute orders 1 to 5", layers: [
            "Split s 1 5 data a b c d e",
            "Permute p1 1 1 a a1 0=1", "Permute p2 1 1 b b1 0=2", "Permute p3 1 1 c c1 0=3",
            "Permute p4 1 1 d d1 0=4", "Permute p5 1 1 e e1 0=5",
            "Flatten f1 1 1 a1 a2", "Flatten f2 1 1 b1 b2", "Flatten f3 1 1 c1 c2", "Flatten f4 1 1 d1 d2", "Flatten f5 1 1 e1 e2",
            "Concat k 5 1 a2 b2 c2 d2 e2 output 0=0",
        ]),
        Case(name: "Reshape and Softmax", layers: [
            "Reshape r 1 1 data r1 0=15 1=-1 2=2", "Softmax s 1 1 r1 s1 0=2 1=1", "Reshape r2 1 1 s1 output 0=-1",
        ], channels: 3),
        Case(name: "BatchNorm and Scale", layers: [
            "BatchNorm b 1 1 data b1 0=3 1=1.000000e-03", "Scale s 1 1 b1 output 0=3 1=1",
        ], blobs: [(false, 3), (false, 3), (false, 3), (false, 3), (false, 3), (false, 3)]),
        Case(name: "Crop: numpy form and offset form", layers: [
            "Split s 1 2 data a b",
            "Crop c1 1 1 a a1 -23309=2,1,2 -23310=2,-1,-233 -23311=2,1,2",
            "Crop c2 1 1 b b1 0=2 1=1 2=0 3=8 4=7 5=-233",
            "Concat k 2 1 a1 b1 output 0=1",
        ]),
        Case(name: "UnaryOp on any input: 21 op types", layers: unaryOps([0, 1, 2, 3, 4, 7, 9, 10, 11, 12, 13, 14, 16, 18, 19, 20, 21, 22, 23, 24, 26])),
        Case(name: "UnaryOp on inputs from 30 to 31: sqrt rsqrt log reciprocal log10 acosh log1p", layers: [
            "AbsVal a 1 1 data a1", "BinaryOp p 1 1 a1 positive 0=0 1=1 2=3.000000e+01",
        ] + unaryOps([5, 6, 8, 15, 17, 25, 27], input: "positive")),
        Case(name: "ELU SELU CELU Shrink GELU (erf, tanh) HardSwish Softplus BNLL Erf Threshold DeepCopy on x ∈ [-3, 3)", layers: [
            "BinaryOp m 1 1 data x 0=2 1=1 2=3.000000e+00",
            "Split s 1 12 x x0 x1 x2 x3 x4 x5 x6 x7 x8 x9 x10 x11",
            "ELU e 1 1 x0 y0 0=5.000000e-01", "SELU se 1 1 x1 y1", "CELU ce 1 1 x2 y2 0=1.500000e+00",
            "Shrink sh 1 1 x3 y3 0=1.000000e-01 1=7.000000e-01", "GELU g 1 1 x4 y4", "GELU gf 1 1 x5 y5 0=1",
            "HardSwish hs 1 1 x6 y6 0=1.666667e-01", "Softplus sp 1 1 x7 y7", "BNLL bn 1 1 x8 y8", "Erf er 1 1 x9 y9",
            "Threshold th 1 1 x10 y10 0=5.000000e-01", "DeepCopy dc 1 1 x11 y11",
            "Concat k 12 1 y0 y1 y2 y3 y4 y5 y6 y7 y8 y9 y10 y11 output 0=0",
        ]),
        Case(name: "Exp, Log and Power with base, scale and shift; Bias", layers: [
            "Split s 1 6 data x0 x1 x2 x3 x4 x5",
            "Exp e 1 1 x0 y0", "Exp e2 1 1 x1 y1 0=2.000000e+00 1=5.000000e-01 2=1.000000e-01",
            "Log l 1 1 x2 y2 2=2.000000e+00", "Log l10 1 1 x3 y3 0=1.000000e+01 1=5.000000e-01 2=2.000000e+00",
            "Power p 1 1 x4 y4 0=2.500000e+00 1=5.000000e-01 2=2.000000e+00", "Power p3 1 1 x5 y5 0=3.000000e+00",
            "Concat k 6 1 y0 y1 y2 y3 y4 y5 k1 0=0",
            "Bias b 1 1 k1 output 0=18",
        ], blobs: [(false, 18)]),
        Case(name: "InstanceNorm, GroupNorm with and without affine weights", layers: [
            "Split s 1 3 data a b c",
            "InstanceNorm in 1 1 a a1 0=4 1=1.000000e-05",
            "GroupNorm gn 1 1 b b1 0=2 1=4 2=1.000000e-05",
            "GroupNorm gn2 1 1 c c1 0=4 1=4 3=0",
            "Concat k 3 1 a1 b1 c1 output 0=0",
        ], blobs: [(false, 4), (false, 4), (false, 4), (false, 4)], channels: 4),
        Case(name: "LayerNorm and RMSNorm over rows, planes and channels of 3-D and 4-D blobs", layers: [
            "Reshape r 1 1 data x 0=10 1=9 2=3",
            "Split s 1 5 x x1 x2 x3 x4 x5",
            "LayerNorm l1 1 1 x1 y1 0=10 1=1.000000e-05", "LayerNorm l2 1 1 x2 y2 0=90 1=1.000000e-05",
            "RMSNorm r1 1 1 x3 y3 0=10", "RMSNorm r2 1 1 x4 y4 0=90 2=0",
            "Reshape r4 1 1 x5 z5 0=10 1=3 11=3 2=3", "LayerNorm l4 1 1 z5 w5 0=30", "LayerNorm l5 1 1 w5 v5 0=0 2=0",
            "Reshape r3 1 1 v5 y5 0=10 1=9 2=3",
            "Concat k 5 1 y1 y2 y3 y4 y5 output 0=0",
        ], blobs: [(false, 10), (false, 10), (false, 90), (false, 90), (false, 10), (false, 30), (false, 30)]),
        Case(name: "Normalize across channels, pixels or both, each eps mode (floors reached), shared or per-channel scale", layers: [
            "Split s 1 4 data a b c d",
            "Normalize n1 1 1 a a1 0=0 4=1 2=1.000000e-02 3=3", "Normalize n2 1 1 b b1 0=1 4=0 1=1 9=1 2=1.000000e+01 3=1",
            "Normalize n3 1 1 c c1 0=1 4=1 9=2 2=1.000000e+03 3=3", "Normalize n4 1 1 d d1 0=0 4=0 1=1 3=1",
            "Concat k 4 1 a1 b1 c1 d1 output 0=0",
        ], blobs: [(false, 3), (false, 1), (false, 3), (false, 1)]),
        Case(name: "LayerNorm and RMSNorm of 2-D rows, GroupNorm of a vector", layers: [
            "Split s 1 2 data a b",
            "Reshape r 1 1 a a2 0=10 1=72", "LayerNorm l 1 1 a2 a3 0=10 2=0", "RMSNorm rm 1 1 a3 a4 0=10",
            "Reshape r2 1 1 a4 a5 0=10 1=9 2=8",
            "Pooling g 1 1 b v 0=1 4=1", "GroupNorm gn 1 1 v v1 0=2 1=8",
            "BinaryOp m 2 1 a5 v1 output 0=2",
        ], blobs: [(false, 10), (false, 8), (false, 8)], channels: 8),
        Case(name: "ShuffleChannel and its reverse, Flip of channels and width, Tile of channels", layers: [
            "Split s 1 5 data a b c d e",
            // Channels fixed by the .param (a convolution's outputs) and left to the input (a to d).
            "Convolution cv 1 1 e x 0=6 1=1 5=0 6=36", "ShuffleChannel sx 1 1 x e1 0=3",
            "ShuffleChannel sc 1 1 a a1 0=2", "ShuffleChannel sr 1 1 b b1 0=3 1=1",
            "Flip f 1 1 c c1 -23300=2,0,-1", "Tile t 1 1 d d1 0=0 1=2",
            "Concat k 5 1 a1 b1 c1 d1 e1 output 0=0",
        ], blobs: [(true, 36)], channels: 6),
        Case(name: "ExpandDims, numpy-style Tile to 4-D, Squeeze by axes, Tile of a 2-D blob", layers: [
            "Pooling g 1 1 data v 0=1 4=1",
            "ExpandDims e 1 1 v e1 -23303=2,1,2",
            "Tile t 1 1 e1 t1 -23302=4,2,1,3,1",
            "Squeeze q 1 1 t1 q1 -23303=2,1,3",
            "Tile t2 1 1 q1 output 0=1 1=2",
        ], channels: 4),
        Case(name: "ExpandDims of a vector to a row, Squeeze by flag", layers: [
            "Pooling g 1 1 data v 0=1 4=1", "ExpandDims e 1 1 v e1 -23303=1,0", "Squeeze q 1 1 e1 output 1=1",
        ]),
        Case(name: "Reduction: the 11 operations over height and width, kept", layers: [
            "AbsVal a 1 1 data x",
            "Split s 1 11 x " + (0...10).map { "x\($0)" }.joined(separator: " "),
        ] + (0...10).map { "Reduction r\($0) 1 1 x\($0) y\($0) 0=\($0) 1=0 -23303=2,1,2 4=1 5=1" } + [
            "Concat k 11 1 " + (0...10).map { "y\($0)" }.joined(separator: " ") + " output 0=0",
        ]),
        Case(name: "Reduction: mean of the channels with coeff (a 2-D blob), sum of everything added back", layers: [
            "Split s 1 2 data a b",
            "Reduction m 1 1 a m1 0=3 1=0 2=2.000000e+00 -23303=1,0 5=1",
            "Reduction t 1 1 m1 t1 0=0 2=5.000000e-01",
            "BinaryOp add 2 1 b t1 output 0=0",
        ]),
        Case(name: "Unfold: rectangular kernel, dilation, stride, uneven pads with a pad value", layers: [
            "Convolution cv 1 1 data c1 0=2 1=1 5=0 6=6",
            "Unfold u 1 1 c1 output 1=3 11=2 12=2 3=2 13=1 4=1 15=2 14=1 16=0 18=5.000000e-01",
        ], blobs: [(true, 6)]),
        Case(name: "MatMul of 2-D blobs, with transB", layers: [
            "Split s 1 3 data a b c",
            "Reshape ra 1 1 a a1 0=-1 1=3", "Split sa 1 2 a1 a2 a3",
            "Reshape rb 1 1 b b2 0=3 1=-1", "Reshape rc 1 1 c c2 0=-1 1=3",
            "MatMul m1 2 1 a2 b2 p1", "MatMul m2 2 1 a3 c2 p2 0=1",
            "BinaryOp add 2 1 p1 p2 output 0=0",
        ]),
        Case(name: "MatMul of 3-D blobs (batched, transB)", layers: ["Split s 1 2 data a b", "MatMul m 2 1 a b output 0=1"]),
        Case(name: "MatMul with vectors: dot product, vector × 2-D and 3-D, 3-D × vector", layers: [
            "Split s 1 4 data a b c d",
            "Pooling g 1 1 a v 0=1 4=1", "Split sv 1 5 v v1 v2 v3 v4 v5",
            "Reshape rb 1 1 b b2 0=-1 1=3", "MatMul m1 2 1 v1 b2 x1",
            "Reshape rc 1 1 c c3 0=3 1=-1 2=1", "MatMul m2 2 1 c3 v2 x2", "Reshape f2 1 1 x2 y2 0=-1",
            "Reshape rd 1 1 d d3 0=-1 1=3 2=1", "MatMul m3 2 1 v3 d3 x3", "Reshape f3 1 1 x3 y3 0=-1",
            "MatMul m4 2 1 v4 v5 x4",
            "BinaryOp a1 2 1 x1 y2 s1 0=0", "BinaryOp a2 2 1 s1 y3 s2 0=0", "BinaryOp a3 2 1 s2 x4 output 0=0",
        ]),
        Case(name: "Gemm: constant B (transB) and per-column C with alpha and beta; constant A, [M,1] C, output N1M transposed", layers: [
            "Reshape r 1 1 data a 0=10 1=-1",
            "Gemm g 1 1 a g1 0=5.000000e-01 1=2.000000e+00 3=1 5=1 6=1 8=4 9=10 10=4",
            "Gemm g2 1 1 g1 output 4=1 6=1 7=6 9=27 10=2 11=1 14=1",
        ], blobs: [(true, 40), (true, 4), (true, 162), (true, 6)]),
    ]

    /// One Split branch per UnaryOp type applied to `input`, concatenated along the channels.
    static func unaryOps(_ types: [Int], input: String = "data") -> [String] {
        ["Split s 1 \(types.count) \(input) " + types.map { "u\($0)" }.joined(separator: " ")]
            + types.map { "UnaryOp op\($0) 1 1 u\($0) v\($0) 0=\($0)" }
            + ["Concat k \(types.count) 1 " + types.map { "v\($0)" }.joined(separator: " ") + " output 0=0"]
    }

    @Test("ORT output of the imported layer matches ncnn", arguments: cases)
    func layer(_ item: Case) async throws {
        try await Self.check(item)
    }

    /// Writes the case as an ncnn model (text `.param`, or with `binary` the `.param.bin` form),
    /// imports it, and compares ONNX Runtime's output with ncnn's on a random 9×10 input.
    static func check(_ item: Case, binary: Bool = false) async throws {
        // Concat of `m1x` in the arithmetic case needs a second copy of m1; spliced in here so the
        // .param stays readable above.
        var layers = item.layers
        if let index = layers.firstIndex(where: { $0.hasPrefix("Eltwise m ") }) {
            layers[index] = "Eltwise m 2 1 a1 b1 m0 0=2"
            layers.insert("Split sm 1 2 m0 m1 m1x", at: index + 1)
        }
        let param = (["7767517", "\(layers.count + 1) 99", "Input data 0 1 data"] + layers).joined(separator: "\n") + "\n"
        var generator = SeededGenerator(seed: 3)
        var bin = Data()
        for blob in item.blobs {
            let values = (0..<blob.count).map { _ in Float.random(in: -1..<1, using: &generator) }
            if blob.flagged && item.half {
                bin.append(contentsOf: [0x47, 0x6B, 0x30, 0x01])
                for value in values { withUnsafeBytes(of: Float16(value).bitPattern.littleEndian) { bin.append(contentsOf: $0) } }
                if blob.count % 2 == 1 { bin.append(contentsOf: [0, 0]) }
            } else {
                if blob.flagged { bin.append(contentsOf: [0, 0, 0, 0]) }
                for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { bin.append(contentsOf: $0) } }
            }
        }
        let folder = try Fixtures.temporaryDirectory("ncnn-layer")
        defer { try? FileManager.default.removeItem(at: folder) }
        let paramURL = folder.appendingPathComponent(binary ? "m.param.bin" : "m.param")
        let binURL = folder.appendingPathComponent("m.bin")
        try (binary ? try NCNNBinaryParamWriter.encode(param) : Data(param.utf8)).write(to: paramURL)
        try bin.write(to: binURL)
        let onnx = folder.appendingPathComponent("m.onnx")
        let result = try NCNNImporter.importAndWrite(param: paramURL, weights: binURL, output: onnx).result

        let shape = [1, item.channels, 9, 10]
        let values = (0..<(shape.reduce(1, *))).map { _ in Float.random(in: -1..<1, using: &generator) }
        let input = try Tensor(shape: shape, scalars: values)
        let inputNPY = folder.appendingPathComponent("in.npy")
        let oracleNPY = folder.appendingPathComponent("ncnn.npy")
        try input.npyData().write(to: inputNPY)
        _ = try runPython("Tests/Oracles/ncnn_run.py", [
            paramURL.path, binURL.path, inputNPY.path, oracleNPY.path, result.inputName, result.outputName,
        ])
        let expected = try Tensor(npy: Data(contentsOf: oracleNPY))
        let outputs = try await NCNNTestSupport.runONNXRuntime(model: onnx, input: result.inputName, tensor: input)
        let actual = try #require(outputs[result.outputName])
        #expect(actual.shape == expected.shape)
        let a = try actual.scalars(as: Float.self)
        let b = try expected.scalars(as: Float.self)
        let worst = zip(a, b).map { abs($0 - $1) }.max() ?? .infinity
        print("\(item.name): max |ORT − ncnn| = \(worst)")
        #expect(a.count == b.count)
        #expect((b.map(abs).max() ?? 0) > 0.01, "the output should not be all zeros")
        #expect(worst <= 1e-4)
    }
}
