import InferenceProtocol
import ONNXModel
import TensorCore

/// Compares a server's model metadata with the model Tessera holds, before any tile is sent:
/// every input and output of the model must exist on the server with the same type and rank,
/// and a dimension fixed on one side must be fixed to the same size (or dynamic) on the other.
/// A dimension the model leaves dynamic (a tile's height and width) must be dynamic on the
/// server too, or tiles of other sizes would be refused one by one.
enum MetadataCheck {
    /// The disagreements, each a readable sentence; empty when the server's model fits.
    static func problems(server: ModelMetadata, inputs: [ValueInfo], outputs: [ValueInfo]) -> [String] {
        compare(role: "input", local: inputs, remote: server.inputs) + compare(role: "output", local: outputs, remote: server.outputs)
    }

    private static func compare(role: String, local: [ValueInfo], remote: [TensorMetadata]) -> [String] {
        var problems: [String] = []
        for value in local {
            guard let found = remote.first(where: { $0.name == value.name }) else {
                problems.append("the server has no \(role) '\(value.name)' (it has \(remote.map { "'\($0.name)'" }.joined(separator: ", ")))")
                continue
            }
            guard let type = value.type?.tensorType else { continue }
            if let element = type.elementType, element.inferenceProtocolName != found.datatype {
                problems.append("\(role) '\(value.name)' is \(found.datatype) on the server, \(element.inferenceProtocolName ?? element.onnxName) in the model")
            }
            guard let dims = type.dims else { continue }
            guard dims.count == found.shape.count else {
                problems.append("\(role) '\(value.name)' has \(found.shape.count) dimensions on the server \(found.shape), \(dims.count) in the model")
                continue
            }
            for (axis, (dim, size)) in zip(dims, found.shape).enumerated() {
                switch (dim.value, size) {
                case (_, -1): continue
                case (let fixed?, let served) where fixed == served: continue
                case (let fixed?, let served):
                    problems.append("\(role) '\(value.name)' dimension \(axis) is \(served) on the server, \(fixed) in the model")
                case (nil, let served):
                    problems.append("\(role) '\(value.name)' dimension \(axis) is fixed to \(served) on the server, dynamic in the model")
                }
            }
        }
        return problems
    }
}
