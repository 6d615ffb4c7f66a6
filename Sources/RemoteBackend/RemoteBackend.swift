public import Foundation
public import InferenceRuntime
import ONNXModel

/// Inference servers as devices: each endpoint that answered (its server metadata, its model
/// ready, its model metadata read) is one ``Device`` of kind `.remote`, which selection ranks and
/// the tile scheduler feeds beside the local devices.
///
/// ```swift
/// let remote = await RemoteBackend.connect([try RemoteEndpoint("http://127.0.0.1:8000", model: "srvgg")])
/// for failure in remote.failures { print("skipped: \(failure)") }
/// let backends = BackendCatalog.discover().backends + [remote]
/// ```
public struct RemoteBackend: Backend {
    /// An endpoint that answered, with what it said about itself.
    public struct Connection: Sendable {
        public var endpoint: RemoteEndpoint
        public var server: ServerMetadata
        public var model: ModelMetadata
        public var device: Device
        let client: any InferenceClient
    }

    public let id = BackendID.remote
    public let connections: [Connection]
    /// Endpoints that did not answer, or whose model is missing or not ready.
    public let failures: [RemoteError]

    public var version: String { "Open Inference Protocol v2" }
    public var libraryPath: String { "" }
    /// The servers' names and versions: a server upgraded behind the same URL is measured again.
    public var buildIdentity: String {
        connections.map { "\($0.endpoint)=\($0.server.name) \($0.server.version)" }.joined(separator: ",")
    }

    /// Asks every endpoint, concurrently, for its server metadata, its model's readiness and its
    /// model metadata; an endpoint that fails any of them is left out and listed in ``failures``.
    public static func connect(_ endpoints: [RemoteEndpoint]) async -> RemoteBackend {
        let results = await withTaskGroup(of: (Int, Result<Connection, RemoteError>).self) { group in
            for (index, endpoint) in endpoints.enumerated() {
                group.addTask {
                    do throws(RemoteError) {
                        return (index, await connect(try client(for: endpoint)))
                    } catch {
                        return (index, .failure(error))
                    }
                }
            }
            var results: [(Int, Result<Connection, RemoteError>)] = []
            for await result in group { results.append(result) }
            return results.sorted { $0.0 < $1.0 }.map(\.1)
        }
        var connections: [Connection] = []
        var failures: [RemoteError] = []
        for result in results {
            switch result {
            case .success(let connection): connections.append(connection)
            case .failure(let error): failures.append(error)
            }
        }
        return RemoteBackend(connections: connections, failures: failures)
    }

    private static func client(for endpoint: RemoteEndpoint) throws(RemoteError) -> any InferenceClient {
        switch endpoint.transport {
        case .rest: try RESTClient(endpoint: endpoint)
        case .grpc: try GRPCClient(endpoint: endpoint)
        }
    }

    private static func connect(_ client: any InferenceClient) async -> Result<Connection, RemoteError> {
        let endpoint = client.endpoint
        do {
            let server = try await client.serverMetadata()
            guard await client.isModelReady() else {
                return .failure(.modelNotReady(endpoint: endpoint.description, model: endpoint.model))
            }
            let model = try await client.modelMetadata()
            let device = Device(
                id: DeviceID("remote:\(endpoint)/\(endpoint.model)"), kind: .remote, vendor: server.name,
                name: "\(server.name) \(server.version) at \(endpoint)", memoryBytes: nil, backend: .remote,
                route: endpoint.transport.rawValue, specificity: Device.Specificity.remote)
            return .success(Connection(endpoint: endpoint, server: server, model: model, device: device, client: client))
        } catch {
            return .failure(error)
        }
    }

    public func devices() -> [Device] { connections.map(\.device) }

    /// Supported when the server's model metadata matches the model's inputs and outputs
    /// (``MetadataCheck``); operators are the server's business.
    public func capability(of model: ModelSummary, on device: Device) -> CapabilityReport {
        guard let connection = connections.first(where: { $0.device.id == device.id }) else {
            return CapabilityReport(
                backend: id, device: device.id, findings: [.init(severity: .blocking, nodes: [], reason: .other("not connected"))])
        }
        let problems = MetadataCheck.problems(server: connection.model, inputs: model.inputs, outputs: model.outputs)
        let error = RemoteError.metadataMismatch(endpoint: connection.endpoint.description, model: connection.endpoint.model, problems: problems)
        return CapabilityReport(
            backend: id, device: device.id,
            findings: problems.isEmpty ? [] : [.init(severity: .blocking, nodes: [], reason: .other(error.description))])
    }

    /// A session that sends each run to the device's endpoint. `model` is read for its
    /// interface only: its inputs and outputs are checked against the server's metadata again,
    /// and its shape inference tells the output shape each reply must have.
    public func makeSession(model: URL, device: Device, options: SessionOptions) async throws -> any Session {
        guard let connection = connections.first(where: { $0.device.id == device.id }) else {
            throw BackendError(.unsupported, backend: id, call: "makeSession", message: "\(device.id) is not a connected endpoint")
        }
        let loaded: Model
        do {
            loaded = try Model(contentsOf: model)
        } catch {
            throw BackendError(.load, backend: id, call: "makeSession", message: "\(model.path): \(error)")
        }
        let problems = MetadataCheck.problems(server: connection.model, inputs: loaded.graph.runtimeInputs, outputs: loaded.graph.outputs)
        guard problems.isEmpty else {
            throw RemoteError.metadataMismatch(endpoint: connection.endpoint.description, model: connection.endpoint.model, problems: problems)
                .backendError(call: "makeSession")
        }
        return RemoteSession(connection: connection, shapes: OutputShapes(model: loaded))
    }
}
