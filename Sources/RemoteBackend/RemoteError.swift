import InferenceProtocol
import InferenceRuntime

/// A failure reaching an inference server or understanding its answer, naming the endpoint.
///
/// ```swift
/// do { try await client.modelMetadata() } catch let error as RemoteError { print(error) }
/// ```
public enum RemoteError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The URL is not `http://`, `https://` (or `grpc://`, `grpcs://` where gRPC is built in).
    case invalidEndpoint(url: String, reason: String)
    /// No connection, a reset, or no answer in time, after every retry.
    case unreachable(endpoint: String, cause: String)
    /// The TLS handshake failed: the server's certificate is not trusted or does not name it, say.
    case tls(endpoint: String, cause: String)
    /// The server answered with an error status.
    case status(endpoint: String, code: Int, message: String)
    /// The server answered 2xx with something that is not a valid reply.
    case malformedReply(endpoint: String, reason: String)
    /// The model is not loaded or not ready on the server.
    case modelNotReady(endpoint: String, model: String)
    /// The server's model metadata disagrees with the model Tessera expects.
    case metadataMismatch(endpoint: String, model: String, problems: [String])
    /// A tensor type the Open Inference Protocol cannot carry (or Tessera cannot read back).
    case unsupportedType(endpoint: String, name: String, type: String)

    public var description: String {
        switch self {
        case .invalidEndpoint(let url, let reason): "remote endpoint \(url): \(reason)"
        case .unreachable(let endpoint, let cause): "\(endpoint): unreachable: \(cause)"
        case .tls(let endpoint, let cause):
            "\(endpoint): TLS handshake failed (is the server's certificate trusted, and issued for this address? A "
                + "private CA's certificate can be named with --remote-ca): \(cause)"
        case .status(let endpoint, let code, let message) where code == 401 || code == 403:
            "\(endpoint): HTTP \(code): \(message) (the bearer token, TESSERA_REMOTE_TOKEN, is missing or wrong)"
        case .status(let endpoint, let code, let message): "\(endpoint): HTTP \(code): \(message)"
        case .malformedReply(let endpoint, let reason): "\(endpoint): malformed reply: \(reason)"
        case .modelNotReady(let endpoint, let model): "\(endpoint): model '\(model)' is not ready"
        case .metadataMismatch(let endpoint, let model, let problems):
            "\(endpoint): model '\(model)' does not match: \(problems.joined(separator: "; "))"
        case .unsupportedType(let endpoint, let name, let type): "\(endpoint): tensor '\(name)' of type \(type) cannot be sent or read"
        }
    }

    /// A protocol violation or unsupported tensor from (or for) `endpoint`.
    init(_ error: ProtocolError, endpoint: String) {
        switch error {
        case .malformed(let reason): self = .malformedReply(endpoint: endpoint, reason: reason)
        case .unsupportedType(let name, let type): self = .unsupportedType(endpoint: endpoint, name: name, type: type)
        }
    }

    /// A connection failure `cause` as ``tls(endpoint:cause:)`` when it is a failed certificate
    /// check, which no retry mends; `nil` for any other failure.
    static func untrustedCertificate(endpoint: String, cause: String) -> RemoteError? {
        let text = cause.lowercased()
        return text.contains("certificate") || text.contains("handshake") || text.contains("failedtovalidatehostname")
            ? .tls(endpoint: endpoint, cause: cause) : nil
    }

    /// Whether trying the same request again may succeed: a lost connection, a timeout, or a
    /// server saying it is busy or restarting (429, 502, 503, 504). An error status for the
    /// request itself, or a malformed reply, would only repeat.
    var isTransient: Bool {
        switch self {
        case .unreachable: true
        case .status(_, let code, _): [429, 502, 503, 504].contains(code)
        default: false
        }
    }

    /// The same failure as the session protocol reports it: a server that cannot be reached or
    /// answers wrongly is a lost device to the scheduler (its tiles go elsewhere); an input the
    /// protocol cannot carry is invalid input.
    func backendError(call: String) -> BackendError {
        let kind: BackendError.Kind
        switch self {
        case .unsupportedType, .invalidEndpoint: kind = .invalidInput
        case .metadataMismatch: kind = .load
        case .unreachable, .tls, .modelNotReady: kind = .deviceLost
        case .status, .malformedReply: kind = .run
        }
        var code: Int? = nil
        if case .status(_, let status, _) = self { code = status }
        return BackendError(kind, backend: .remote, call: call, code: code, message: description)
    }
}
