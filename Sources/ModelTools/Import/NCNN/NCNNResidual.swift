import Foundation
import ONNXModel
import TensorCore

/// Whether the imported graph ends by adding the input, upscaled by nearest neighbour, to the
/// network's output.
///
/// Some upscalers (Real-CUGAN's ×4 networks) output only a residual: their own program adds it to
/// a nearest-neighbour copy of the input. Without that addition an upscale comes out nearly black,
/// so the importer appends it to the graph and the written model gives the final picture on any
/// library.
public enum NCNNResidualMode: String, Sendable, CaseIterable {
    /// Add it when the measured output stays near 0 where the input is mid-grey.
    case auto
    /// Always add it (the graph must be an image-to-image network).
    case nearest
    /// Never add it: the graph is the network alone.
    case none
}

/// The levels of the check's native run on a smooth mid-grey ramp.
struct NCNNProbeLevels: Sendable, Hashable {
    var inputMean: Double
    var outputMean: Double
    var inputChannels: Int
    var outputChannels: Int

    /// An upscaler's output follows the input's level; a residual's stays near 0 on an input with
    /// no detail to restore. Halfway between the two tells them apart with a wide margin (on this
    /// ramp ncnn gives the ×4 Real-CUGAN networks means within 0.002 of 0, every other Real-CUGAN
    /// and SPAN model means within 0.03 of the input's 0.5).
    var looksResidual: Bool {
        inputChannels == outputChannels && abs(outputMean) < inputMean / 2
    }
}

extension Model {
    /// Appends what a residual network's program does after it: the input, cropped by the border
    /// the network consumes, upscaled by nearest neighbour and added to the network's output.
    ///
    /// The graph output keeps its name (the manifest and callers name it); the network's own output
    /// is renamed. Output pixel (x, y) adds input pixel (⌊x / scale⌋, ⌊y / scale⌋) of the cropped
    /// input, which `asymmetric` coordinates with `floor` rounding give exactly on every library.
    mutating func appendNearestResidual(input: String, output: String, geometry: NCNNGeometry) {
        var taken = Set(graph.nodes.flatMap { $0.inputs + $0.outputs + [$0.name] } + graph.initializers.map(\.name))
        func fresh(_ base: String) -> String {
            var name = base
            var index = 1
            while taken.contains(name) {
                name = "\(base)_\(index)"
                index += 1
            }
            taken.insert(name)
            return name
        }
        let network = fresh("\(output).network")
        for index in graph.nodes.indices {
            graph.nodes[index].outputs = graph.nodes[index].outputs.map { $0 == output ? network : $0 }
        }
        func constant<Scalar: TensorScalar>(_ base: String, _ values: [Scalar]) -> String {
            let name = fresh(base)
            if let tensor = try? Tensor(shape: [values.count], scalars: values) {
                graph.initializers.append(StoredTensor(name: name, tensor: tensor))
            }
            return name
        }
        var cropped = input
        let border = Int64(geometry.border)
        if border > 0 {
            cropped = fresh("residual.cropped")
            graph.nodes.append(
                Node(
                    name: fresh("residual/Slice"), opType: "Slice",
                    inputs: [input, constant("residual.starts", [border, border]), constant("residual.ends", [-border, -border]),
                             constant("residual.axes", [Int64(2), 3])],
                    outputs: [cropped]))
        }
        func text(_ name: String, _ value: String) -> Attribute { Attribute(name: name, value: .string(Data(value.utf8))) }
        let upsampled = fresh("residual.upsampled")
        let scale = Float(geometry.scale)
        graph.nodes.append(
            Node(
                name: fresh("residual/Resize"), opType: "Resize", inputs: [cropped, "", constant("residual.scales", [1, 1, scale, scale])],
                outputs: [upsampled],
                attributes: [text("mode", "nearest"), text("coordinate_transformation_mode", "asymmetric"), text("nearest_mode", "floor")]))
        graph.nodes.append(Node(name: fresh("residual/Add"), opType: "Add", inputs: [network, upsampled], outputs: [output]))
    }
}
