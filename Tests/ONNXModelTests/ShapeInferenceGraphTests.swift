import Foundation
import ONNXModel
import TensorCore
import Testing

/// Shape inference on graphs built in Swift: symbolic shapes through an upscaler-like network,
/// opset-dependent operator forms, the driver's ordering and reporting, and malformed nodes.
@Suite("Shape inference on hand-built graphs")
struct ShapeInferenceGraphTests {
    // MARK: Building graphs

    static let n = Dim.symbol("N"), c = Dim.symbol("C"), h = Dim.symbol("H"), w = Dim.symbol("W")

    static func floats(_ name: String, _ shape: [Int]) throws -> StoredTensor {
        StoredTensor(name: name, tensor: try Tensor(shape: shape, scalars: [Float](repeating: 0.5, count: shape.reduce(1, *))))
    }

    static func floatValues(_ name: String, _ values: [Float]) throws -> StoredTensor {
        StoredTensor(name: name, tensor: try Tensor(shape: [values.count], scalars: values))
    }

    static func ints(_ name: String, _ values: [Int64], scalar: Bool = false) throws -> StoredTensor {
        StoredTensor(name: name, tensor: try Tensor(shape: scalar ? [] : [values.count], scalars: values))
    }

    static func input(_ name: String, _ dims: [Dim]?, _ type: DataType = .float32) -> ValueInfo {
        ValueInfo(name: name, type: .tensor(type, dims))
    }

    static func node(
        _ op: String, _ inputs: [String], _ outputs: [String], name: String = "", _ attributes: [String: Attribute.Value] = [:]
    ) -> Node {
        Node(
            name: name, opType: op, inputs: inputs, outputs: outputs,
            attributes: attributes.sorted { $0.key < $1.key }.map { Attribute(name: $0.key, value: $0.value) })
    }

    static func model(
        _ nodes: [Node], inputs: [ValueInfo], outputs: [String], initializers: [StoredTensor] = [], opset: Int64 = 17
    ) -> Model {
        let graph = Graph(
            name: "g", nodes: nodes, initializers: initializers, inputs: inputs,
            outputs: outputs.map { ValueInfo(name: $0, type: nil) })
        return Model(graph: graph, opsetImports: [OpsetImport(domain: "", version: opset)])
    }

    static func dims(_ types: InferredTypes, _ name: String) -> [Dim]? { types.values[name]?.tensorType?.dims }

    /// Expects inference to fail with `.invalidNode` naming `node` and mentioning `fragment`.
    static func expectInvalidNode(_ model: Model, node expected: String, _ fragment: String = "") {
        do {
            let types = try model.inferTypes()
            Issue.record("expected an error for \(expected), got \(types.values.count) values")
        } catch {
            guard case .invalidNode(let node, let reason) = error else {
                Issue.record("expected invalidNode, got \(error)")
                return
            }
            #expect(node.contains(expected), "\(node): \(reason)")
            #expect(fragment.isEmpty || reason.contains(fragment), "\(node): \(reason)")
        }
    }

    // MARK: Symbolic shapes

    @Test("Upscaler: Conv → PRelu → Conv → DepthToSpace(4) + Resize(×4) gives [N, 3, 4H, 4W]")
    func upscaler() throws {
        let pad1: [String: Attribute.Value] = ["kernel_shape": .ints([3, 3]), "pads": .ints([1, 1, 1, 1])]
        let m = Self.model(
            [
                Self.node("Conv", ["input", "w1", "b1"], ["c1"], name: "conv1", pad1),
                Self.node("PRelu", ["c1", "slope"], ["p1"]),
                Self.node("Conv", ["p1", "w2"], ["c2"], name: "conv2", pad1),
                Self.node("DepthToSpace", ["c2"], ["up"], ["blocksize": .int(4)]),
                Self.node("Resize", ["input", "", "scales"], ["base"], ["mode": .string(Data("nearest".utf8))]),
                Self.node("Add", ["up", "base"], ["output"]),
            ],
            inputs: [Self.input("input", [Self.n, 3, Self.h, Self.w])], outputs: ["output"],
            initializers: [
                try Self.floats("w1", [16, 3, 3, 3]), try Self.floats("b1", [16]), try Self.floats("slope", [16, 1, 1]),
                try Self.floats("w2", [48, 16, 3, 3]), try Self.floatValues("scales", [1, 1, 4, 4]),
            ])
        let types = try m.inferTypes()
        #expect(types.issues.isEmpty, "\(types.issues)")
        let expected: [Dim] = [Self.n, 3, try Self.h.multiplied(by: 4), try Self.w.multiplied(by: 4)]
        #expect(Self.dims(types, "output") == expected)
        #expect(Self.dims(types, "c1") == [Self.n, 16, Self.h, Self.w])
        #expect(types.values["output"]?.tensorType?.elementType == .float32)
        #expect(types.values["w1"] != nil && types.values["input"] != nil)

        let fixed = try m.inferTypes(inputShapes: ["input": [1, 3, 64, 48]])
        #expect(Self.dims(fixed, "output") == [1, 3, 256, 192])
    }

    @Test("Stride-2 convolution without padding gives floor((H - 3)/2) + 1")
    func stridedConvolution() throws {
        let m = Self.model(
            [Self.node("Conv", ["x", "k"], ["y"], ["strides": .ints([2, 2])])],
            inputs: [Self.input("x", [Self.n, 3, Self.h, Self.w])], outputs: ["y"],
            initializers: [try Self.floats("k", [8, 3, 3, 3])])
        let types = try m.inferTypes()
        let height = try Self.h.subtracting(3).floorDivided(by: 2).adding(1)
        let width = try Self.w.subtracting(3).floorDivided(by: 2).adding(1)
        #expect(Self.dims(types, "y") == [Self.n, 8, height, width])
        #expect(height.description == "floor((H - 3)/2) + 1")
        #expect(Self.dims(try m.inferTypes(inputShapes: ["x": [1, 3, 10, 9]]), "y") == [1, 8, 4, 4])
    }

    @Test("Reshape driven by Shape → Gather → Unsqueeze → Concat flattens to [N, C·H·W]")
    func exportedReshape() throws {
        let m = Self.model(
            [
                Self.node("Shape", ["x"], ["shape"]),
                Self.node("Gather", ["shape", "zero"], ["batch"], ["axis": .int(0)]),
                Self.node("Unsqueeze", ["batch", "axes0"], ["batch1"]),
                Self.node("Concat", ["batch1", "minusOne"], ["target"], ["axis": .int(0)]),
                Self.node("Reshape", ["x", "target"], ["flat"]),
            ],
            inputs: [Self.input("x", [Self.n, Self.c, Self.h, Self.w])], outputs: ["flat"],
            initializers: [
                try Self.ints("zero", [0], scalar: true), try Self.ints("axes0", [0]), try Self.ints("minusOne", [-1]),
            ], opset: 13)
        let types = try m.inferTypes()
        #expect(types.issues.isEmpty, "\(types.issues)")
        #expect(Self.dims(types, "flat") == [Self.n, try Self.c.multiplied(by: Self.h).multiplied(by: Self.w)])
        #expect(Self.dims(types, "target") == [2])
    }

    @Test("Resize sizes computed from Shape, Slice and Mul stay symbolic")
    func exportedResizeSizes() throws {
        let m = Self.model(
            [
                Self.node("Shape", ["x"], ["shape"]),
                Self.node("Slice", ["shape", "s0", "s2"], ["nc"]),
                Self.node("Slice", ["shape", "s2", "s4"], ["hw"]),
                Self.node("Mul", ["hw", "two"], ["hw2"]),
                Self.node("Concat", ["nc", "hw2"], ["sizes"], ["axis": .int(0)]),
                Self.node("Resize", ["x", "", "", "sizes"], ["y"]),
            ],
            inputs: [Self.input("x", [Self.n, 3, Self.h, Self.w])], outputs: ["y"],
            initializers: [
                try Self.ints("s0", [0]), try Self.ints("s2", [2]), try Self.ints("s4", [4]), try Self.ints("two", [2]),
            ], opset: 13)
        let types = try m.inferTypes()
        #expect(Self.dims(types, "y") == [Self.n, 3, try Self.h.multiplied(by: 2), try Self.w.multiplied(by: 2)])
    }

    @Test("ConvTranspose with stride 2, pads 1, output_padding 1 doubles H; output_shape wins when given")
    func convTranspose() throws {
        let attributes: [String: Attribute.Value] = [
            "strides": .ints([2, 2]), "pads": .ints([1, 1, 1, 1]), "output_padding": .ints([1, 1]),
        ]
        let m = Self.model(
            [
                Self.node("ConvTranspose", ["x", "k"], ["y"], attributes),
                Self.node("ConvTranspose", ["x", "k"], ["z"], ["strides": .ints([2, 2]), "output_shape": .ints([30, 31])]),
                Self.node("ConvTranspose", ["x", "k"], ["s"], ["strides": .ints([2, 2]), "auto_pad": .string(Data("SAME_UPPER".utf8))]),
            ],
            inputs: [Self.input("x", [Self.n, 4, Self.h, 15])], outputs: ["y", "z", "s"],
            initializers: [try Self.floats("k", [4, 2, 3, 3])])
        let types = try m.inferTypes(inputShapes: [:])
        #expect(Self.dims(types, "y") == [Self.n, 2, try Self.h.multiplied(by: 2), 30])
        #expect(Self.dims(types, "z") == [Self.n, 2, 30, 31])
        #expect(Self.dims(types, "s") == [Self.n, 2, try Self.h.multiplied(by: 2), 30])
    }

    @Test("Pooling: ceil_mode, SAME padding, dilations, and MaxPool's int64 indices")
    func pooling() throws {
        let m = Self.model(
            [
                Self.node("MaxPool", ["x"], ["p", "i"], ["kernel_shape": .ints([2, 2]), "strides": .ints([2, 2]), "ceil_mode": .int(1)]),
                Self.node("AveragePool", ["x"], ["a"], ["kernel_shape": .ints([3, 3]), "strides": .ints([2, 2]), "auto_pad": .string(Data("SAME_UPPER".utf8))]),
                Self.node("MaxPool", ["x"], ["d"], ["kernel_shape": .ints([2, 2]), "dilations": .ints([2, 2])]),
                Self.node("GlobalAveragePool", ["x"], ["g"]),
                // A last window that would start in the end padding is dropped (the spec, PyTorch and
                // ONNX Runtime agree on 3; onnx 1.23's own inference says 4).
                Self.node("MaxPool", ["x"], ["c"], ["kernel_shape": .ints([2, 2]), "strides": .ints([2, 2]), "pads": .ints([1, 1, 1, 1]), "ceil_mode": .int(1)]),
            ],
            inputs: [Self.input("x", [1, 8, 5, 7])], outputs: ["p", "i", "a", "d", "g", "c"])
        let types = try m.inferTypes()
        #expect(Self.dims(types, "p") == [1, 8, 3, 4])
        #expect(types.values["i"] == .tensor(.int64, [1, 8, 3, 4]))
        #expect(Self.dims(types, "a") == [1, 8, 3, 4])
        #expect(Self.dims(types, "d") == [1, 8, 3, 5])
        #expect(Self.dims(types, "g") == [1, 8, 1, 1])
        #expect(Self.dims(types, "c") == [1, 8, 3, 4])
    }

    @Test("MatMul follows numpy: 1-D operands and broadcast batch dims")
    func matMul() throws {
        let m = Self.model(
            [
                Self.node("MatMul", ["a", "b"], ["ab"]),
                Self.node("MatMul", ["v", "b"], ["vb"]),
                Self.node("MatMul", ["a", "v4"], ["av"]),
                Self.node("Gemm", ["g", "b2"], ["gemm"], ["transB": .int(1)]),
            ],
            inputs: [
                Self.input("a", [Self.n, 1, 3, 5]), Self.input("b", [7, 5, 4]), Self.input("v", [5]), Self.input("v4", [5]),
                Self.input("g", [Self.n, 5]), Self.input("b2", [6, 5]),
            ], outputs: ["ab", "vb", "av", "gemm"])
        let types = try m.inferTypes()
        #expect(Self.dims(types, "ab") == [Self.n, 7, 3, 4])
        #expect(Self.dims(types, "vb") == [7, 4])
        #expect(Self.dims(types, "av") == [Self.n, 1, 3])
        #expect(Self.dims(types, "gemm") == [Self.n, 6])
    }

    // MARK: Opset-dependent forms

    @Test("Squeeze, Unsqueeze, Pad, Split and Reduce read axes/pads from attributes or inputs by opset")
    func opsetForms() throws {
        let old = Self.model(
            [
                Self.node("Unsqueeze", ["x"], ["u"], ["axes": .ints([0, -1])]),
                Self.node("Squeeze", ["u"], ["s"], ["axes": .ints([0])]),
                Self.node("Pad", ["x"], ["p"], ["pads": .ints([1, 0, 2, 3])]),
                Self.node("Split", ["x"], ["a", "b"], ["axis": .int(1), "split": .ints([2, 5])]),
                Self.node("ReduceMean", ["x"], ["r"], ["axes": .ints([1]), "keepdims": .int(0)]),
            ],
            inputs: [Self.input("x", [4, 7])], outputs: ["s", "p", "a", "b", "r"], opset: 10)
        let new = Self.model(
            [
                Self.node("Unsqueeze", ["x", "axesU"], ["u"]),
                Self.node("Squeeze", ["u", "axesS"], ["s"]),
                Self.node("Pad", ["x", "pads"], ["p"]),
                Self.node("Split", ["x"], ["a", "b", "c"], ["axis": .int(1), "num_outputs": .int(3)]),
                Self.node("ReduceMean", ["x", "axesR"], ["r"], ["keepdims": .int(0)]),
            ],
            inputs: [Self.input("x", [4, 7])], outputs: ["s", "p", "a", "b", "c", "r"],
            initializers: [
                try Self.ints("axesU", [0, -1]), try Self.ints("axesS", [0]), try Self.ints("pads", [1, 0, 2, 3]),
                try Self.ints("axesR", [1]),
            ], opset: 18)
        for types in [try old.inferTypes(), try new.inferTypes()] {
            #expect(Self.dims(types, "s") == [4, 7, 1])
            #expect(Self.dims(types, "p") == [7, 10])
            #expect(Self.dims(types, "r") == [4])
        }
        let oldTypes = try old.inferTypes(), newTypes = try new.inferTypes()
        #expect(Self.dims(oldTypes, "a") == [4, 2] && Self.dims(oldTypes, "b") == [4, 5])
        #expect(Self.dims(newTypes, "a") == [4, 3] && Self.dims(newTypes, "b") == [4, 3] && Self.dims(newTypes, "c") == [4, 1])
    }

    @Test("Reshape: 0 copies unless allowzero (opset 14+), -1 takes the rest")
    func reshapeForms() throws {
        let m = { (opset: Int64, allowZero: Int64) in
            Self.model(
                [Self.node("Reshape", ["x", "shape"], ["y"], name: "r", ["allowzero": .int(allowZero)])],
                inputs: [Self.input("x", [2, 3, 4])], outputs: ["y"], initializers: [try Self.ints("shape", [0, 12])],
                opset: opset)
        }
        #expect(Self.dims(try m(13, 1).inferTypes(), "y") == [2, 12])
        #expect(Self.dims(try m(14, 0).inferTypes(), "y") == [2, 12])
        Self.expectInvalidNode(try m(14, 1), node: "r", "24 elements")
        let copy = Self.model(
            [Self.node("Reshape", ["x", "shape"], ["y"])],
            inputs: [Self.input("x", [Self.n, 6, 4])], outputs: ["y"], initializers: [try Self.ints("shape", [0, -1, 2])])
        #expect(Self.dims(try copy.inferTypes(), "y") == [Self.n, 12, 2])
    }

    // MARK: The driver

    @Test("Nodes out of file order are inferred in dependency order")
    func unorderedNodes() throws {
        let m = Self.model(
            [Self.node("Relu", ["t"], ["y"]), Self.node("Transpose", ["x"], ["t"], ["perm": .ints([1, 0])])],
            inputs: [Self.input("x", [2, 5])], outputs: ["y"])
        let types = try m.inferTypes()
        #expect(Self.dims(types, "y") == [5, 2])
        #expect(types.issues.isEmpty)
    }

    @Test("Uncovered operators, untyped inputs, cycles and dangling inputs are issues, not errors")
    func issues() throws {
        let m = Self.model(
            [
                Self.node("FancyOp", ["x"], ["a"], name: "fancy"),
                Self.node("Relu", ["a"], ["b"], name: "after"),
                Self.node("Relu", ["d"], ["c"], name: "loop1"),
                Self.node("Relu", ["c"], ["d"], name: "loop2"),
                Self.node("Relu", ["nowhere"], ["e"], name: "dangling"),
                Node(name: "custom", opType: "Thing", domain: "com.example", inputs: ["x"], outputs: ["f"]),
                Self.node("Sigmoid", ["x"], ["g"]),
            ],
            inputs: [Self.input("x", [3])], outputs: ["b", "g"])
        let types = try m.inferTypes()
        let byNode = Dictionary(types.issues.map { ($0.node, $0.reason) }, uniquingKeysWith: { $1 })
        #expect(byNode["'fancy' (FancyOp)"]?.contains("not covered") == true)
        #expect(byNode["'after' (Relu)"]?.contains("no known type") == true)
        #expect(byNode["'loop1' (Relu)"]?.contains("cycle") == true)
        #expect(byNode["'loop2' (Relu)"]?.contains("cycle") == true)
        #expect(byNode["'dangling' (Relu)"]?.contains("not produced") == true)
        #expect(byNode["'custom' (Thing)"]?.contains("com.example") == true)
        #expect(types.values["a"] == nil && types.values["b"] == nil)
        #expect(types.values["g"] == .tensor(.float32, [3]))
        #expect(types.issues.count == 6)
    }

    @Test("Input-shape overrides must name a graph input and keep its rank")
    func overrides() throws {
        let m = Self.model([Self.node("Relu", ["x"], ["y"])], inputs: [Self.input("x", [Self.n, 3])], outputs: ["y"])
        #expect(Self.dims(try m.inferTypes(inputShapes: ["x": [5, 3]]), "y") == [5, 3])
        #expect(throws: ONNXModelError.self) { try m.inferTypes(inputShapes: ["x": [5, 3, 1]]) }
        #expect(throws: ONNXModelError.self) { try m.inferTypes(inputShapes: ["z": [5]]) }
        #expect(throws: ONNXModelError.self) { try m.inferTypes(inputShapes: ["x": [-1, 3]]) }
    }

    @Test("If and Loop bodies are inferred against the enclosing scope")
    func controlFlow() throws {
        let thenBranch = Graph(
            name: "then", nodes: [Self.node("Relu", ["x"], ["t"])], inputs: [], outputs: [ValueInfo(name: "t", type: nil)])
        let elseBranch = Graph(
            name: "else", nodes: [Self.node("Neg", ["x"], ["e"])], inputs: [], outputs: [ValueInfo(name: "e", type: nil)])
        let body = Graph(
            name: "body", nodes: [Self.node("Identity", ["cond_in"], ["cond_out"]), Self.node("Add", ["acc", "x"], ["acc_out"])],
            inputs: [
                ValueInfo(name: "i", type: nil), ValueInfo(name: "cond_in", type: nil), ValueInfo(name: "acc", type: nil),
            ],
            outputs: [ValueInfo(name: "cond_out", type: nil), ValueInfo(name: "acc_out", type: nil), ValueInfo(name: "acc_out", type: nil)])
        let m = Self.model(
            [
                Self.node("If", ["flag"], ["chosen"], ["then_branch": .graph(thenBranch), "else_branch": .graph(elseBranch)]),
                Self.node("Loop", ["trips", "", "x"], ["final", "stacked"], ["body": .graph(body)]),
            ],
            inputs: [Self.input("x", [2, 3]), Self.input("flag", [], .bool), Self.input("trips", [], .int64)],
            outputs: ["chosen", "final", "stacked"])
        let types = try m.inferTypes()
        #expect(types.issues.isEmpty, "\(types.issues)")
        #expect(Self.dims(types, "chosen") == [2, 3])
        #expect(Self.dims(types, "final") == [2, 3])
        #expect(Self.dims(types, "stacked") == [.unknown, 2, 3])
    }

    // MARK: Malformed nodes

    @Test("Conv whose weight expects other input channels fails naming the node")
    func convChannelMismatch() throws {
        let m = Self.model(
            [Self.node("Conv", ["x", "k"], ["y"], name: "badconv")],
            inputs: [Self.input("x", [1, 3, 8, 8])], outputs: ["y"], initializers: [try Self.floats("k", [4, 5, 3, 3])])
        Self.expectInvalidNode(m, node: "badconv", "channels")
    }

    @Test("Reshape of 6 elements to [4] fails")
    func reshapeCountMismatch() throws {
        let m = Self.model(
            [Self.node("Reshape", ["x", "shape"], ["y"], name: "reshape")],
            inputs: [Self.input("x", [2, 3])], outputs: ["y"], initializers: [try Self.ints("shape", [4])])
        Self.expectInvalidNode(m, node: "reshape", "6 elements")
    }

    @Test("Broadcasting 3 against 5 fails")
    func broadcastMismatch() throws {
        let m = Self.model(
            [Self.node("Add", ["a", "b"], ["y"], name: "add")],
            inputs: [Self.input("a", [2, 3]), Self.input("b", [5])], outputs: ["y"])
        Self.expectInvalidNode(m, node: "add", "broadcast")
    }

    @Test("Huge, zero or negative attribute values fail with an error, never a crash")
    func hostileAttributes() throws {
        let huge = Int64(1) << 62
        let cases: [(String, [String: Attribute.Value])] = [
            ("MaxPool", ["kernel_shape": .ints([huge, huge])]),
            ("MaxPool", ["kernel_shape": .ints([2, 2]), "pads": .ints([huge, huge, huge, huge])]),
            ("MaxPool", ["kernel_shape": .ints([2, 2]), "pads": .ints([huge, 0, 0, 0])]),
            ("MaxPool", ["kernel_shape": .ints([3, 3]), "dilations": .ints([huge, 1])]),
            ("MaxPool", ["kernel_shape": .ints([2, 2]), "strides": .ints([0, 1])]),
            ("MaxPool", ["kernel_shape": .ints([-2, 2])]),
            ("MaxPool", ["kernel_shape": .ints([2, 2]), "pads": .ints([1, 1, 1])]),
            ("Conv", ["pads": .ints([huge, huge, huge, huge])]),
            ("Conv", ["group": .int(-1)]),
            ("Conv", ["kernel_shape": .ints([huge, huge])]),
            ("ConvTranspose", ["strides": .ints([huge, huge])]),
            ("ConvTranspose", ["output_padding": .ints([Int64.max, 0])]),
            ("DepthToSpace", ["blocksize": .int(huge)]),
            ("Flatten", ["axis": .int(Int64.min)]),
            ("Transpose", ["perm": .ints([0, 1, 2, huge])]),
            ("Softmax", ["axis": .int(huge)]),
            ("Unsqueeze", ["axes": .ints([huge])]),
        ]
        for (op, attributes) in cases {
            let inputs = op == "Conv" || op == "ConvTranspose" ? ["x", "k"] : ["x"]
            let m = Self.model(
                [Self.node(op, inputs, ["y"], name: "hostile", attributes)],
                inputs: [Self.input("x", [1, 4, 8, 8])], outputs: ["y"], initializers: [try Self.floats("k", [4, 4, 3, 3])],
                opset: 12)
            Self.expectInvalidNode(m, node: "hostile")
        }
    }
}
