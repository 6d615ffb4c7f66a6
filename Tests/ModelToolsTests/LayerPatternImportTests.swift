import Testing

/// The layer patterns of the Real-CUGAN and SPAN families and the other forms ncnn's layers
/// accept, as small synthetic models: each is pinned against ncnn itself without any download.
@Suite("ncnn layer patterns of the community zoo match ncnn after import")
struct LayerPatternImportTests {
    typealias Case = LayerImportTests.Case

    static let squeezeExcitation = Case(name: "SE block: global average pool, InnerProduct ReLU and sigmoid, [C,H,W] × [C]", layers: [
        "Split s 1 2 data a b",
        "Pooling g 1 1 a g1 0=1 4=1",
        "InnerProduct fc1 1 1 g1 f1 0=2 1=1 2=8 9=1",
        "InnerProduct fc2 1 1 f1 f2 0=4 1=1 2=8 9=4",
        "BinaryOp m 2 1 b f2 output 0=2",
    ], blobs: [(true, 8), (false, 2), (true, 8), (false, 4)], channels: 4)

    static let scaleBlobAndMemoryData = Case(name: "Scale by a second blob; MemoryData [3,1,1] subtracted (SPAN's mean)", layers: [
        "Split s 1 3 data a b c",
        "Pooling g 1 1 a g1 0=1 4=1",
        "Sigmoid sg 1 1 g1 g2",
        "Scale sc 2 1 b g2 s1 0=-233",
        "MemoryData mean 0 1 mean 0=1 1=1 2=3",
        "BinaryOp sub 2 1 c mean d1 0=1",
        "BinaryOp add 2 1 s1 d1 output 0=0",
    ], blobs: [(false, 3)])

    static let sizeExpression = Case(name: "Interp nearest to a size expression of both inputs' sizes (a string parameter)", layers: [
        "Split s 1 2 data a b",
        "Pooling p 1 1 a small 0=0 1=2 2=2",
        #"Interp i 2 1 small b output 0=1 9="+(1w,-1),max(*(0h,2),1h)""#,
    ])

    static let cases: [Case] = [
        sizeExpression,
        squeezeExcitation,
        Case(name: "BinaryOp: vector divided by a map ([C] first)", layers: [
            "Split s 1 2 data a b",
            "Pooling g 1 1 a g1 0=0 4=1",
            "BinaryOp d 2 1 g1 b output 0=3",
        ], channels: 4),
        Case(name: "BinaryOp: a vector as long as the width lines up with the innermost axis", layers: [
            "Split s 1 2 data a b",
            "Pooling g 1 1 a g1 0=1 4=1",
            "InnerProduct fc 1 1 g1 v 0=10 1=0 2=30",
            "BinaryOp add 2 1 b v output 0=0",
        ], blobs: [(true, 30)]),
        Case(name: "BinaryOp: a 2-D blob covers a 3-D one's outer axes", layers: [
            "Split s 1 2 data a b",
            "Pooling g 1 1 a g1 0=1 4=1",
            "InnerProduct fc 1 1 g1 v 0=27 1=0 2=81",
            "Reshape r 1 1 v v2 0=9 1=3",
            "BinaryOp mul 2 1 b v2 output 0=2",
        ], blobs: [(true, 81)]),
        Case(name: "Crop, numpy form on axes -2 and -1 with negative ends (Real-CUGAN's border)", layers: [
            "Crop c 1 1 data output -23309=2,2,1 -23310=2,-2,-1 -23311=2,-2,-1",
        ]),
        Case(name: "Crop to a reference blob, with offsets", layers: [
            "Split s 1 2 data a b",
            "Convolution cv 1 1 a ref 0=2 1=3 5=0 6=54",
            "Crop c 2 1 b ref output 0=1 1=2",
        ], blobs: [(true, 54)]),
        Case(name: "Crop and Slice of vectors; Concat and Softmax of vectors", layers: [
            "Pooling g 1 1 data g1 0=1 4=1",
            "InnerProduct fc 1 1 g1 v 0=12 1=1 2=36",
            "Split s 1 2 v v1 v2",
            "Crop c 1 1 v1 c1 0=2 3=5",
            "Slice sl 1 3 v2 p q r -23300=3,3,4,-233 1=0",
            "Concat k 4 1 c1 p q r k1 0=0",
            "Softmax sm 1 1 k1 output 0=0",
        ], blobs: [(true, 36), (false, 12)]),
        Case(name: "Slice channels, Reshape 3-D to 2-D with 0 and -1, Permute, Concat and Softmax of 2-D blobs", layers: [
            "Slice sl 1 2 data a b -23300=2,1,-233 1=0",
            "Reshape ra 1 1 a ra1 0=0 1=-1",
            "Reshape rb 1 1 b rb1 0=0 1=-1",
            "Permute pa 1 1 ra1 pa1 0=1",
            "Permute pb 1 1 rb1 pb1 0=1",
            "Concat k 2 1 pa1 pb1 k1 0=-1",
            "Softmax sm 1 1 k1 output 0=1 1=1",
        ]),
        scaleBlobAndMemoryData,
        Case(name: "A transformer block as pnnx writes it (SwinIR, HAT): tokens, LayerNorm, attention by MatMul and Softmax, Gemm, GELU, back to an image", layers: [
            "Split s 1 2 data x ref",
            "Reshape t 1 1 x t1 0=-1 1=4", "Permute p 1 1 t1 t2 0=1",
            "LayerNorm ln 1 1 t2 n 0=4 1=1.000000e-05",
            "Split sq 1 3 n q k v",
            "MatMul qk 2 1 q k a 0=1", "Softmax sm 1 1 a a1 0=1 1=1", "MatMul av 2 1 a1 v o",
            "Gemm proj 1 1 o o2 3=1 5=1 6=1 8=4 9=4 10=4", "GELU g 1 1 o2 o3",
            "Permute p2 1 1 o3 o4 0=1",
            #"Reshape back 2 1 o4 ref output 6="1w,1h,1c""#,
        ], blobs: [(false, 4), (false, 4), (true, 16), (true, 4)], channels: 4),
        Case(name: "Deconvolution kernel 4 stride 2 pad 3, then a numpy Crop (Real-CUGAN's upsampler)", layers: [
            "Deconvolution d 1 1 data d1 0=3 1=4 3=2 4=3 5=1 6=144",
            "Crop c 1 1 d1 output -23309=2,1,1 -23310=2,-1,-1 -23311=2,-2,-1",
        ], blobs: [(true, 144), (false, 3)]),
        Case(name: "Swish, sigmoid minus a scalar, product, Eltwise sum with coefficients (SPAN's attention)", layers: [
            "Split s 1 3 data a b c",
            "Swish sw 1 1 a a1",
            "Sigmoid sg 1 1 b b1",
            "BinaryOp h 1 1 b1 b2 0=1 1=1 2=5.000000e-01",
            "BinaryOp m 2 1 a1 b2 m1 0=2",
            "Eltwise e 2 1 m1 c output 0=1 -23301=2,5.000000e-01,2.000000e+00",
        ]),
        Case(name: "Slice in equal shares (-233) of a width only the input decides, pieces reordered", layers: [
            "Slice sl 1 3 data a b c -23300=3,-233,-233,-233 1=2",
            "Concat k 3 1 c a b output 0=2",
        ]),
        Case(name: "Slice: a fixed piece, then equal shares of the rest of the height", layers: [
            "Slice sl 1 3 data a b c -23300=3,2,-233,-233 1=1",
            "Concat k 3 1 c b a output 0=1",
        ]),
        Case(name: "Interp bilinear to a reference blob's size (a U-Net's skip connection)", layers: [
            "Split s 1 2 data a b",
            "Pooling p 1 1 a small 0=1 1=2 2=2",
            "Interp i 2 1 small b output 0=2 5=1",
        ]),
        Case(name: "Interp nearest to a reference blob's size (indices as ncnn rounds them)", layers: [
            "Split s 1 2 data a b",
            "Pooling p 1 1 a small 0=0 1=3 2=3",
            "Interp i 2 1 small b output 0=1 5=1",
        ]),
        Case(name: "Deconvolution with SAME padding (-233) and no output size keeps the whole output", layers: [
            "Deconvolution d 1 1 data output 0=2 1=3 3=2 4=-233 5=0 6=54",
        ], blobs: [(true, 54)]),
        Case(name: "Deconvolution -234 cut to an output size, with output padding", layers: [
            "Deconvolution d 1 1 data output 0=2 1=3 3=2 4=-234 18=1 20=12 21=11 5=1 6=54",
        ], blobs: [(true, 54), (false, 2)]),
        Case(name: "Deconvolution: explicit pads win over an output size", layers: [
            "Deconvolution d 1 1 data output 0=2 1=3 3=2 4=1 20=12 21=11 5=0 6=54",
        ], blobs: [(true, 54)]),
        Case(name: "Convolution and ConvolutionDepthWise bordered with a pad value", layers: [
            "Convolution c 1 1 data c1 0=3 1=3 4=1 14=2 18=5.000000e-01 5=1 6=81",
            "ConvolutionDepthWise dw 1 1 c1 output 0=3 1=3 4=2 18=-1.000000e+00 5=0 6=27 7=3",
        ], blobs: [(true, 81), (false, 3), (true, 27)]),
        Case(name: "Convolution with dynamic weights [4,3,3,3] and bias from MemoryData blobs, SAME padding", layers: [
            "MemoryData wt 0 1 wt 0=3 1=3 11=3 2=4",
            "MemoryData bs 0 1 bs 0=4",
            "Convolution c 3 1 data wt bs output 0=4 1=3 4=-233 5=1 6=108 19=1 9=1",
        ], blobs: [(false, 108), (false, 4)]),
        Case(name: "ConvolutionDepthWise with dynamic 3-D weights [3,3,3], 3 groups", layers: [
            "MemoryData wt 0 1 wt 0=3 1=3 2=3",
            "ConvolutionDepthWise dw 2 1 data wt output 0=3 1=3 4=1 5=0 6=27 7=3 19=1",
        ], blobs: [(false, 27)]),
        Case(name: "Interp to a size expression: floats, floor, and C's round of 22.5 (23, not ONNX's 22)", layers: [
            #"Interp i 1 1 data output 0=2 9="floor(/(*(0w,3),2)),round(*(0h,2.5))""#,
        ]),
        Case(name: "Reshape by shape expressions over the input's sizes, twice", layers: [
            #"Reshape r 1 1 data r1 6="*(0w,0h),0c""#,
            #"Reshape r2 1 1 r1 output 6="//(0w,2),2,0h""#,
        ]),
        Case(name: "Crop by expressions: a computed start, -233 and a negative end, on axes -2 and -1", layers: [
            #"Crop c 1 1 data output 19="1,+(0w,-7)" 20="-1,-233" 21="-2,-1""#,
        ]),
        Case(name: "Crop by expressions to sizes computed from a second blob", layers: [
            "Split s 1 2 data a b",
            "Pooling p 1 1 a small 0=0 1=2 2=2",
            #"Crop c 2 1 b small output 19="0,1" 20="1h,*(1w,2)" 21="1,2""#,
        ]),
        Case(name: "Crop by expressions: an end of 0 means the axis's end", layers: [
            #"Crop c 1 1 data output 19="2,1" 20="0,-1" 21="1,2""#,
        ]),
        Case(name: "Adaptive average pooling to 2×3 overlapping cells", layers: [
            "Pooling p 1 1 data output 0=1 7=1 8=3 18=2",
        ]),
        Case(name: "Adaptive max pooling to 4 rows, the width kept (-233)", layers: [
            "Pooling p 1 1 data output 0=0 7=1 8=-233 18=4",
        ]),
    ]

    @Test("ORT output of the imported pattern matches ncnn", arguments: cases)
    func pattern(_ item: Case) async throws {
        try await LayerImportTests.check(item)
    }

    @Test("The binary .param.bin form imports to what ncnn computes from it", arguments: [
        squeezeExcitation, scaleBlobAndMemoryData, cases[8], sizeExpression,
    ])
    func binaryForm(_ item: Case) async throws {
        try await LayerImportTests.check(item, binary: true)
    }
}
