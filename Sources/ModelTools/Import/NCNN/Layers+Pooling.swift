import Foundation
import ONNXModel

extension NCNNGraphBuilder {
    /// Pooling (`0=type 1=kernel 2=stride 3=pad 4=global 5=pad_mode 6=count_include_pad 7=adaptive`).
    ///
    /// ncnn's pad mode 0 ("full") pads the end so every input pixel is covered: ONNX `ceil_mode`.
    /// Mode 1 is plain floor; 2 and 3 are SAME_UPPER and SAME_LOWER.
    mutating func pooling(_ layer: NCNNLayer) throws(NCNNImportError) {
        try expect(layer, inputs: 1...1)
        let type = try int(layer, 0, 0)
        guard type == 0 || type == 1 else { throw fail(layer, "pooling type \(type) is not supported") }
        let input = value(layer.inputs[0])
        let output = layer.outputs[0]
        // ncnn checks the adaptive flag before the global one.
        if try int(layer, 7, 0) != 0 { return try adaptivePooling(layer, maximum: type == 0, input: input) }
        if try int(layer, 4, 0) != 0 {
            // ncnn's global pooling yields a vector of channels: [N, C, 1, 1] is flattened to [N, C].
            let pooled = fresh("\(output)_pooled")
            emit(type == 0 ? "GlobalMaxPool" : "GlobalAveragePool", name: layer.name, inputs: [input], outputs: [pooled])
            emit("Flatten", name: layer.name, inputs: [pooled], outputs: [output], attributes: [Attribute(name: "axis", value: .int(1))])
            return
        }
        let kw = try int(layer, 1, 0)
        let kh = try int(layer, 11, kw)
        let sw = try int(layer, 2, 1)
        let sh = try int(layer, 12, sw)
        let left = try int(layer, 3, 0)
        let right = try int(layer, 14, left)
        let top = try int(layer, 13, left)
        let bottom = try int(layer, 15, top)
        guard [kw, kh, sw, sh].allSatisfy({ $0 > 0 }), [left, right, top, bottom].allSatisfy({ $0 >= 0 }) else {
            throw fail(layer, "kernel and stride must be positive and padding non-negative")
        }
        var attributes = [
            Attribute(name: "kernel_shape", value: .ints([Int64(kh), Int64(kw)])),
            Attribute(name: "strides", value: .ints([Int64(sh), Int64(sw)])),
        ]
        switch try int(layer, 5, 0) {
        case 0:
            attributes.append(Attribute(name: "ceil_mode", value: .int(1)))
            attributes.append(Attribute(name: "pads", value: .ints([top, left, bottom, right].map(Int64.init))))
        case 1:
            attributes.append(Attribute(name: "pads", value: .ints([top, left, bottom, right].map(Int64.init))))
        case 2:
            attributes.append(Attribute(name: "auto_pad", value: .string(Data("SAME_UPPER".utf8))))
        case 3:
            attributes.append(Attribute(name: "auto_pad", value: .string(Data("SAME_LOWER".utf8))))
        case let mode:
            throw fail(layer, "pad mode \(mode) is not supported")
        }
        if type == 1 {
            attributes.append(Attribute(name: "count_include_pad", value: .int(Int64(try int(layer, 6, 0) != 0 ? 1 : 0))))
        }
        emit(type == 0 ? "MaxPool" : "AveragePool", name: layer.name, inputs: [input], outputs: [output], attributes: attributes)
    }

    /// The most cells per axis adaptive pooling builds: each is a few nodes of the graph.
    static let adaptiveCellLimit = 64

    /// Adaptive pooling (`7=1 8=out_w 18=out_h`, -233 keeps that axis). Output cell i covers the
    /// input rows [⌊h·i/o⌋, ⌈h·(i+1)/o⌉), which move with the input size, so each cell is a
    /// Slice with computed bounds and a reduction. Every row of a cell has as many columns, so
    /// both the maximum and the mean can pool the rows first and the columns after.
    private mutating func adaptivePooling(_ layer: NCNNLayer, maximum: Bool, input: String) throws(NCNNImportError) {
        let outW = try int(layer, 8, 0)
        let outH = try int(layer, 18, outW)
        for size in [outW, outH] where size != -233 && !(1...Self.adaptiveCellLimit).contains(size) {
            throw fail(layer, "adaptive output size \(size) is outside 1...\(Self.adaptiveCellLimit) (or -233 to keep the axis)")
        }
        guard shape(of: layer.inputs[0]).rank == 3 else {
            throw fail(layer, "adaptive pooling needs a 3-D blob, not \(shape(of: layer.inputs[0]).rank)-D")
        }
        let pooledAxes = [(axis: 2, cells: outH), (axis: 3, cells: outW)].filter { $0.cells != -233 }
        guard !pooledAxes.isEmpty else {
            emit("Identity", name: layer.name, inputs: [input], outputs: [layer.outputs[0]])
            return
        }
        let inputShape = fresh("\(layer.name)_shape")
        emit("Shape", name: layer.name, inputs: [input], outputs: [inputShape])
        var current = input
        for (position, (axis, cells)) in pooledAxes.enumerated() {
            let axes = int64s("\(layer.name).axis", [Int64(axis)])
            let length = fresh("\(layer.name)_length")
            emit("Gather", name: layer.name, inputs: [inputShape, axes], outputs: [length])
            let divisor = int64s("\(layer.name).cells", [Int64(cells)])
            var pooled: [String] = []
            for cell in 0..<cells {
                let startProduct = fresh("\(layer.name)_start_product")
                let start = fresh("\(layer.name)_start")
                let endProduct = fresh("\(layer.name)_end_product")
                let endRounded = fresh("\(layer.name)_end_rounded")
                let end = fresh("\(layer.name)_end")
                let window = fresh("\(layer.name)_window")
                let reduced = fresh("\(layer.name)_cell")
                emit("Mul", name: layer.name, inputs: [length, int64s("\(layer.name).i", [Int64(cell)])], outputs: [startProduct])
                emit("Div", name: layer.name, inputs: [startProduct, divisor], outputs: [start])
                emit("Mul", name: layer.name, inputs: [length, int64s("\(layer.name).i1", [Int64(cell + 1)])], outputs: [endProduct])
                emit("Add", name: layer.name, inputs: [endProduct, int64s("\(layer.name).round_up", [Int64(cells - 1)])],
                     outputs: [endRounded])
                emit("Div", name: layer.name, inputs: [endRounded, divisor], outputs: [end])
                emit("Slice", name: layer.name, inputs: [current, start, end, axes], outputs: [window])
                reduce(maximum ? "ReduceMax" : "ReduceMean", layer: layer, input: window, axes: [axis], output: reduced)
                pooled.append(reduced)
            }
            let output = position == pooledAxes.count - 1 ? layer.outputs[0] : fresh("\(layer.name)_rows")
            emit("Concat", name: layer.name, inputs: pooled, outputs: [output], attributes: [Attribute(name: "axis", value: .int(Int64(axis)))])
            current = output
        }
    }

    /// A reduction over `axes`: opset 18 moved `axes` from an attribute to an input (ReduceSum's
    /// moved in 13).
    mutating func reduce(_ op: String, layer: NCNNLayer, input: String, axes: [Int], keepdims: Bool = true, output: String) {
        let keep = Attribute(name: "keepdims", value: .int(keepdims ? 1 : 0))
        if opset >= 18 || op == "ReduceSum" {
            emit(op, name: layer.name, inputs: [input, int64s("\(layer.name).reduce_axes", axes.map(Int64.init))], outputs: [output],
                 attributes: [keep])
        } else {
            emit(op, name: layer.name, inputs: [input], outputs: [output],
                 attributes: [keep, Attribute(name: "axes", value: .ints(axes.map(Int64.init)))])
        }
    }
}
