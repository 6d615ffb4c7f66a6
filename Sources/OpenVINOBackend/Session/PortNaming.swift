import TensorCore

/// How OpenVINO describes one input or output port: what is needed to find the ONNX value it
/// stands for.
struct PortSignature: Equatable {
    /// `ov_port_get_any_name`: the ONNX name, or a name OpenVINO merged into the port.
    var anyName: String
    /// `nil` for a type Tessera does not exchange.
    var dataType: DataType?
    /// `nil` when the rank is dynamic; a dynamic dimension is `nil`.
    var dims: [Int?]?
}

/// Gives each OpenVINO port the ONNX name of the value it stands for.
///
/// OpenVINO's ONNX frontend drops inputs it does not need (an unused input, a zero-size one, an
/// empty `axes` it folds) and renames others: an input passed straight through to an output (by
/// `Identity`, an inference-mode `Dropout`, a one-input `Max`) is left with the *output's* name
/// only. Neither changes the order of the ports that remain, which is the file's.
enum PortNaming {
    /// The ONNX name of each of `ports` (a model's inputs, or its outputs), in their order.
    ///
    /// - When OpenVINO kept every declared value, ports and declarations pair up by position.
    /// - When it dropped some, a port whose name is one of the declared names is that value (an
    ///   anchor; anchors rise through the file's order). A renamed port between two anchors is
    ///   the first declared value between them, after any already taken, whose element type and
    ///   shape fit it. Naming it by OpenVINO's name instead would ask the caller for a tensor
    ///   under an output's name and silently ignore the real input as "unused".
    /// - A port nothing fits keeps OpenVINO's name.
    /// - Parameter declared: the file's values, or `nil` when the file could not be scanned.
    static func names(of ports: [PortSignature], declared: [ONNXInterfaceNames.Value]?) -> [String] {
        guard let declared else { return ports.map(\.anyName) }
        if declared.count == ports.count { return declared.map(\.name) }

        var position: [String: Int] = [:]
        for (index, value) in declared.enumerated() where position[value.name] == nil { position[value.name] = index }
        var anchors = [Int?](repeating: nil, count: ports.count)
        var lastAnchor = -1
        for (index, port) in ports.enumerated() {
            if let at = position[port.anyName], at > lastAnchor {
                anchors[index] = at
                lastAnchor = at
            }
        }

        var names: [String] = []
        var next = 0  // the first declared value not yet taken or passed
        for (index, port) in ports.enumerated() {
            if let at = anchors[index] {
                names.append(declared[at].name)
                next = at + 1
                continue
            }
            let limit = anchors[(index + 1)...].lazy.compactMap { $0 }.first ?? declared.count
            if next < limit, let at = (next..<limit).first(where: { fits(port, declared[$0]) }) {
                names.append(declared[at].name)
                next = at + 1
            } else {
                names.append(port.anyName)
            }
        }
        return names
    }

    /// Whether a port could be this declared value: the same element type and rank, and equal
    /// sizes wherever both are fixed (unknowns on either side fit anything).
    static func fits(_ port: PortSignature, _ value: ONNXInterfaceNames.Value) -> Bool {
        if let portType = port.dataType, let declaredType = value.dataType, portType != declaredType { return false }
        guard let portDims = port.dims, let declaredDims = value.dims else { return true }
        guard portDims.count == declaredDims.count else { return false }
        return zip(portDims, declaredDims).allSatisfy { actual, wanted in
            actual == nil || wanted == nil || actual == wanted
        }
    }
}
