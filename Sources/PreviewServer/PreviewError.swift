import Foundation
public import Hummingbird

/// What the preview server refuses or fails at; the page shows `description` as it is.
public enum PreviewError: Error, CustomStringConvertible, Sendable {
    /// The request did not carry the session's token in the `X-Tessera-Token` header.
    case missingToken
    /// The `Host` header names another site: a page elsewhere resolving its name to this
    /// machine (DNS rebinding) cannot drive the server.
    case foreignHost(String)
    case notFound(String)
    case badRequest(String)
    case uploadTooLarge(name: String, limitBytes: Int)
    case unreadableImage(name: String, reason: String)
    /// A model that is neither installed nor given on the command line: the page may not name files.
    case unknownModel(String, available: [String])
    case runFailed(reason: String)
    case cannotStart(reason: String)

    public var description: String {
        switch self {
        case .missingToken:
            "this request carries no valid X-Tessera-Token header; open the URL `tessera preview` printed"
        case .foreignHost(let host):
            "Host \(host) is not this preview server's address; requests from other sites are refused"
        case .notFound(let what): "\(what) not found"
        case .badRequest(let reason): "bad request: \(reason)"
        case .uploadTooLarge(let name, let limit):
            "\(name): larger than the upload limit of \(limit >> 20) MiB (tessera preview --max-upload-mb raises it)"
        case .unreadableImage(let name, let reason): "\(name): not an image Tessera can read: \(reason)"
        case .unknownModel(let model, let available):
            "model \(model) is neither installed nor given with --model; available: "
                + (available.isEmpty ? "none" : available.joined(separator: ", "))
        case .runFailed(let reason): reason
        case .cannotStart(let reason): "the preview server could not start: \(reason)"
        }
    }
}

extension PreviewError: HTTPResponseError {
    public var status: HTTPResponse.Status {
        switch self {
        case .missingToken, .foreignHost: .forbidden
        case .notFound: .notFound
        case .uploadTooLarge: .contentTooLarge
        case .badRequest, .unreadableImage, .unknownModel: .badRequest
        case .runFailed, .cannotStart: .internalServerError
        }
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        try JSONReply.response(["error": description], status: status)
    }
}
