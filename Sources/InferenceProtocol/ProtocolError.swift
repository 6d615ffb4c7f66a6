/// A message that breaks the Open Inference Protocol, or a tensor it cannot carry. Clients and
/// servers add who sent it.
public enum ProtocolError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The message is not a valid request or reply; the reason says where.
    case malformed(String)
    /// A tensor of a type the protocol has no name for, or that Tessera cannot read back.
    case unsupportedType(name: String, type: String)

    public var description: String {
        switch self {
        case .malformed(let reason): reason
        case .unsupportedType(let name, let type): "tensor '\(name)' of type \(type) cannot be sent or read"
        }
    }
}
