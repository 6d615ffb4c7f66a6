import TensorCore

/// Why a kernel could not compute a node's outputs; the interpreter adds the node's label.
enum KernelError: Error, CustomStringConvertible, Sendable {
    /// A required input is absent.
    case missingInput(Int)
    /// The engine holds no kernel for values of this type here.
    case unsupportedType(DataType)
    /// Input shapes do not fit together.
    case shapeMismatch(String)
    /// Any other bad input value.
    case invalid(String)

    var description: String {
        switch self {
        case .missingInput(let index): "input \(index) is required but absent"
        case .unsupportedType(let type): "the engine has no kernel for \(type) values here"
        case .shapeMismatch(let text): "shapes do not fit: \(text)"
        case .invalid(let text): text
        }
    }
}
