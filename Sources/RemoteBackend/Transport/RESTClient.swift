import AsyncHTTPClient
import Foundation
import InferenceProtocol
import NIOCore
import NIOHTTP1
import TensorCore

/// The Open Inference Protocol over REST (KServe v2), on AsyncHTTPClient: its connection pool
/// keeps connections to each server open between tiles, TLS comes from NIO's, and a request's
/// deadline is enforced on the event loop rather than by a blocked thread.
struct RESTClient: InferenceClient {
    let endpoint: RemoteEndpoint
    private let http: HTTPClient

    /// - Throws: ``RemoteError/invalidEndpoint(url:reason:)`` when the endpoint's CA file cannot be read.
    init(endpoint: RemoteEndpoint) throws(RemoteError) {
        self.endpoint = endpoint
        http = try HTTPClients.client(for: endpoint)
    }

    func isLive() async -> Bool { (try? await send(.GET, "v2/health/live", retrying: false).status) == 200 }

    func isModelReady() async -> Bool { (try? await send(.GET, "\(endpoint.modelPath)/ready", retrying: false).status) == 200 }

    func serverMetadata() async throws(RemoteError) -> ServerMetadata {
        try decodeJSON(ServerMetadata.self, from: try await expectOK(send(.GET, "v2")))
    }

    func modelMetadata() async throws(RemoteError) -> ModelMetadata {
        let reply = try await send(.GET, endpoint.modelPath)
        if reply.status == 404 || reply.status == 400 { throw .modelNotReady(endpoint: endpoint.description, model: endpoint.model) }
        return try decodeJSON(ModelMetadata.self, from: try expectOK(reply))
    }

    func infer(_ inputs: [(name: String, tensor: Tensor)], outputs: [String]) async throws(RemoteError) -> [String: Tensor] {
        let request = InferenceRequest(inputs: inputs, outputs: outputs, binaryOutputs: endpoint.binaryTensors)
        let message: EncodedMessage
        do throws(ProtocolError) {
            message = try request.encoded(binary: endpoint.binaryTensors)
        } catch {
            throw RemoteError(error, endpoint: endpoint.description)
        }
        var headers = HTTPHeaders()
        if let length = message.headerLength {
            headers.add(name: "Inference-Header-Content-Length", value: String(length))
            headers.add(name: "Content-Type", value: "application/octet-stream")
        } else {
            headers.add(name: "Content-Type", value: "application/json")
        }
        let reply = try await send(.POST, "\(endpoint.modelPath)/infer", headers: headers, body: message.body)
        let body = try expectOK(reply)
        let headerLength = reply.headers.first(name: "Inference-Header-Content-Length").flatMap { Int($0) }
        do throws(ProtocolError) {
            let response = try InferenceResponse.decode(body, headerLength: headerLength)
            return Dictionary(response.outputs, uniquingKeysWith: { first, _ in first })
        } catch {
            throw RemoteError(error, endpoint: endpoint.description)
        }
    }

    /// A reply read whole (up to ``RemoteEndpoint/maxReplyBytes``).
    struct Reply {
        var status: Int
        var headers: HTTPHeaders
        var body: Data
    }

    /// Sends one request, again after a transient failure while attempts remain, waiting
    /// ``RemoteEndpoint/backoff`` doubled each time (with jitter, so workers that failed together
    /// do not retry together).
    private func send(
        _ method: HTTPMethod, _ path: String, headers: HTTPHeaders = [:], body: Data? = nil, retrying: Bool = true
    ) async throws(RemoteError) -> Reply {
        var request = HTTPClientRequest(url: endpoint.url.absoluteString + "/" + path)
        request.method = method
        request.headers = headers
        if let token = endpoint.token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body { request.body = .bytes(body) }
        let attempts = retrying ? endpoint.retries + 1 : 1
        var delay = endpoint.backoff
        for attempt in 1...attempts {
            do {
                let reply = try await once(request)
                let failure = RemoteError.status(endpoint: endpoint.description, code: reply.status, message: "")
                guard failure.isTransient, attempt < attempts else { return reply }
            } catch let error as RemoteError {
                guard error.isTransient, attempt < attempts else { throw error }
            } catch {
                // Only cancellation reaches here.
                throw .unreachable(endpoint: endpoint.description, cause: "cancelled")
            }
            try? await Task.sleep(for: delay * Double.random(in: 0.5...1.5))
            delay *= 2
        }
        throw .unreachable(endpoint: endpoint.description, cause: "no attempt")
    }

    private func once(_ request: HTTPClientRequest) async throws -> Reply {
        let response: HTTPClientResponse
        let timeout = endpoint.timeout.components
        do {
            response = try await http.execute(
                request, timeout: .nanoseconds(timeout.seconds * 1_000_000_000 + timeout.attoseconds / 1_000_000_000))
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            let cause = String(describing: error)
            throw RemoteError.untrustedCertificate(endpoint: endpoint.description, cause: cause)
                ?? .unreachable(endpoint: endpoint.description, cause: cause)
        }
        if let length = response.headers.first(name: "Content-Length").flatMap(Int.init), length > endpoint.maxReplyBytes {
            throw RemoteError.malformedReply(
                endpoint: endpoint.description, reason: "the reply's \(length) bytes exceed the \(endpoint.maxReplyBytes)-byte limit")
        }
        do {
            let buffer = try await response.body.collect(upTo: endpoint.maxReplyBytes)
            return Reply(status: Int(response.status.code), headers: response.headers, body: Data(buffer.readableBytesView))
        } catch {
            throw RemoteError.unreachable(endpoint: endpoint.description, cause: "the reply was cut off: \(error)")
        }
    }

    /// The reply, or its status as an error with the server's message.
    private func expectOK(_ reply: Reply) throws(RemoteError) -> Data {
        guard (200..<300).contains(reply.status) else {
            let message = (try? JSONDecoder().decode(ErrorReply.self, from: reply.body).error)
                ?? String(decoding: reply.body.prefix(300), as: UTF8.self)
            throw .status(endpoint: endpoint.description, code: reply.status, message: message)
        }
        return reply.body
    }

    private func decodeJSON<T: Decodable>(_ type: T.Type, from data: Data) throws(RemoteError) -> T {
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch {
            throw .malformedReply(endpoint: endpoint.description, reason: "its JSON does not parse as \(T.self) (\(error))")
        }
    }
}
