import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import InferenceProtocol
import TensorCore

/// The Open Inference Protocol over gRPC (`inference.GRPCInferenceService`, code generated from
/// the protocol's definition into `Generated/`), on grpc-swift 2 and its NIO HTTP/2 transport.
///
/// gRPC's usual 4 MiB message limit is below one output tile (a 256² tile 4× up is 12.6 MB of
/// float32), so every call raises both limits to ``RemoteEndpoint/maxReplyBytes``. Tensors
/// travel as raw bytes (`raw_input_contents`, `raw_output_contents`).
final class GRPCClient: InferenceClient {
    let endpoint: RemoteEndpoint
    private let client: GRPCCore.GRPCClient<HTTP2ClientTransport.Posix>
    private let service: Inference_GRPCInferenceService.Client<HTTP2ClientTransport.Posix>

    /// Opens the channel; connections are made on first use and kept for the process's life.
    init(endpoint: RemoteEndpoint) throws(RemoteError) {
        self.endpoint = endpoint
        let (host, port) = endpoint.hostAndPort
        do {
            let security: HTTP2ClientTransport.Posix.TransportSecurity =
                !endpoint.usesTLS ? .plaintext
                : .tls { tls in
                    if let ca = endpoint.caFile { tls.trustRoots = .certificates([.file(path: ca, format: .pem)]) }
                }
            let transport = try HTTP2ClientTransport.Posix(target: Self.target(host: host, port: port), transportSecurity: security)
            client = GRPCCore.GRPCClient(transport: transport)
        } catch {
            throw .unreachable(endpoint: endpoint.description, cause: "\(error)")
        }
        service = Inference_GRPCInferenceService.Client(wrapping: client)
        let running = client
        Task.detached { try? await running.runConnections() }
    }

    deinit { client.beginGracefulShutdown() }

    /// A literal IP address is targeted as an address, not a name: TLS may not send it as the
    /// server's name (SNI), and the certificate is then checked against the address.
    private static func target(host: String, port: Int) -> any ResolvableTarget {
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        if octets.count == 4, octets.allSatisfy({ UInt8($0) != nil }) {
            let address: ResolvableTargets.IPv4 = .ipv4(host: host, port: port)
            return address
        }
        if host.contains(":") {
            let address: ResolvableTargets.IPv6 = .ipv6(host: host, port: port)
            return address
        }
        let name: ResolvableTargets.DNS = .dns(host: host, port: port)
        return name
    }

    private var options: CallOptions {
        var options = CallOptions.defaults
        options.timeout = endpoint.timeout
        options.maxRequestMessageBytes = endpoint.maxReplyBytes
        options.maxResponseMessageBytes = endpoint.maxReplyBytes
        return options
    }

    private var metadata: Metadata {
        var metadata = Metadata()
        if let token = endpoint.token { metadata.addString("Bearer \(token)", forKey: "authorization") }
        return metadata
    }

    func isLive() async -> Bool {
        (try? await call { try await service.serverLive(Inference_ServerLiveRequest(), metadata: metadata, options: options) })?.live ?? false
    }

    func isModelReady() async -> Bool {
        var request = Inference_ModelReadyRequest()
        request.name = endpoint.model
        request.version = endpoint.version ?? ""
        return (try? await call { try await service.modelReady(request, metadata: metadata, options: options) })?.ready ?? false
    }

    func serverMetadata() async throws(RemoteError) -> ServerMetadata {
        let reply = try await call { try await service.serverMetadata(Inference_ServerMetadataRequest(), metadata: metadata, options: options) }
        return ServerMetadata(name: reply.name, version: reply.version, extensions: reply.extensions)
    }

    func modelMetadata() async throws(RemoteError) -> ModelMetadata {
        var request = Inference_ModelMetadataRequest()
        request.name = endpoint.model
        request.version = endpoint.version ?? ""
        let reply = try await call { try await service.modelMetadata(request, metadata: metadata, options: options) }
        func describe(_ tensor: Inference_ModelMetadataResponse.TensorMetadata) -> TensorMetadata {
            TensorMetadata(name: tensor.name, datatype: tensor.datatype, shape: tensor.shape.map { Int($0) })
        }
        return ModelMetadata(
            name: reply.name, versions: reply.versions, platform: reply.platform, inputs: reply.inputs.map(describe),
            outputs: reply.outputs.map(describe))
    }

    func infer(_ inputs: [(name: String, tensor: Tensor)], outputs: [String]) async throws(RemoteError) -> [String: Tensor] {
        var request = Inference_ModelInferRequest()
        request.modelName = endpoint.model
        request.modelVersion = endpoint.version ?? ""
        for (name, tensor) in inputs {
            guard let datatype = tensor.dataType.inferenceProtocolName, let raw = tensor.rawBytes else {
                throw .unsupportedType(endpoint: endpoint.description, name: name, type: tensor.dataType.onnxName)
            }
            var input = Inference_ModelInferRequest.InferInputTensor()
            input.name = name
            input.datatype = datatype
            input.shape = tensor.shape.map { Int64($0) }
            request.inputs.append(input)
            request.rawInputContents.append(raw)
        }
        request.outputs = outputs.map { name in
            var output = Inference_ModelInferRequest.InferRequestedOutputTensor()
            output.name = name
            return output
        }
        let reply = try await call { try await service.modelInfer(request, metadata: metadata, options: options) }
        guard reply.rawOutputContents.count == reply.outputs.count else {
            throw .malformedReply(
                endpoint: endpoint.description,
                reason: "\(reply.outputs.count) outputs with \(reply.rawOutputContents.count) raw contents (Tessera reads raw contents only)")
        }
        var tensors: [String: Tensor] = [:]
        for (output, bytes) in zip(reply.outputs, reply.rawOutputContents) {
            do {
                tensors[output.name] = try Tensor.fromRawContents(
                    name: output.name, datatype: output.datatype, shape: output.shape.map { Int($0) }, bytes: bytes, role: "output")
            } catch {
                throw RemoteError(error, endpoint: endpoint.description)
            }
        }
        return tensors
    }

    /// Runs one call, again after a transient failure while attempts remain (as the REST client
    /// does), mapping gRPC's status codes onto the HTTP ones ``RemoteError`` carries.
    private func call<Reply: Sendable>(_ body: () async throws -> Reply) async throws(RemoteError) -> Reply {
        var delay = endpoint.backoff
        for attempt in 1...(endpoint.retries + 1) {
            do {
                return try await body()
            } catch let error as RPCError {
                let failure = remoteError(error)
                guard failure.isTransient, attempt <= endpoint.retries else { throw failure }
            } catch {
                throw .unreachable(endpoint: endpoint.description, cause: "\(error)")
            }
            try? await Task.sleep(for: delay * Double.random(in: 0.5...1.5))
            delay *= 2
        }
        throw .unreachable(endpoint: endpoint.description, cause: "no attempt")
    }

    /// gRPC's status as the HTTP status a REST server would have answered: unavailable and
    /// deadline exceeded are a lost connection (retried), the others the server's verdict.
    private func remoteError(_ error: RPCError) -> RemoteError {
        let name = endpoint.description
        switch error.code {
        case .unavailable, .deadlineExceeded, .cancelled:
            let cause = "gRPC \(error.code): \(error.message)" + (error.cause.map { " (\($0))" } ?? "")
            return RemoteError.untrustedCertificate(endpoint: name, cause: cause) ?? .unreachable(endpoint: name, cause: cause)
        case .notFound: return .status(endpoint: name, code: 404, message: error.message)
        case .invalidArgument, .failedPrecondition, .outOfRange: return .status(endpoint: name, code: 400, message: error.message)
        case .unauthenticated: return .status(endpoint: name, code: 401, message: error.message)
        case .permissionDenied: return .status(endpoint: name, code: 403, message: error.message)
        case .resourceExhausted: return .status(endpoint: name, code: 429, message: error.message)
        case .unimplemented: return .status(endpoint: name, code: 501, message: error.message)
        default: return .status(endpoint: name, code: 500, message: "gRPC \(error.code): \(error.message)")
        }
    }
}
