public import Foundation
import Hummingbird
import InferenceProtocol
public import InferenceRuntime
import Logging
import NIOCore
import Synchronization

/// Tessera as a node of a serving fleet: the Open Inference Protocol over REST (KServe v2, with
/// the binary tensor extension) for the models it was given, each run on the sessions `load`
/// opens for it (Tessera's own selection of local devices), and `POST /upscale/NAME` (or
/// `/upscale` for the first model): an encoded image in, the upscaled image out, in the same
/// format, where `load` offers that path.
///
/// Liveness is immediate; readiness (server and per model) turns true only once every model is
/// loaded. Stopping (SIGINT, SIGTERM) lets requests in flight finish first.
///
/// ```swift
/// let server = InferenceServer(models: ["realesr-animevideov3-x4"], configuration: .init(port: 8000)) { name in
///     LoadedModel(sessions: try await openSessions(for: name))
/// }
/// try await server.run()
/// ```
public struct InferenceServer: Sendable {
    public struct Configuration: Sendable {
        /// The address to listen on: loopback unless exposing the server is asked for.
        public var host: String
        public var port: Int
        /// When set, every request but the health checks must carry `Authorization: Bearer TOKEN`.
        public var token: String?
        /// The largest request body accepted (413 above it).
        public var maxRequestBytes: Int

        public init(host: String = "127.0.0.1", port: Int = 8000, token: String? = nil, maxRequestBytes: Int = 256 << 20) {
            self.host = host
            self.port = port
            self.token = token
            self.maxRequestBytes = maxRequestBytes
        }
    }

    public let models: [String]
    public let configuration: Configuration
    private let load: @Sendable (String) async throws -> LoadedModel
    private let log: @Sendable (String) -> Void
    private let registry = ModelRegistry()

    /// - Parameters:
    ///   - models: the names clients use; each is passed to `load`.
    ///   - load: opens the sessions that serve one model (one tensor request runs on each at a
    ///     time), and its image path if it has one.
    ///   - log: one-line notices (a model loaded or failed, the server listening).
    public init(
        models: [String], configuration: Configuration, log: @escaping @Sendable (String) -> Void = { _ in },
        load: @escaping @Sendable (String) async throws -> LoadedModel
    ) {
        self.models = models
        self.configuration = configuration
        self.load = load
        self.log = log
    }

    /// Listens until SIGINT or SIGTERM, loading the models meanwhile; a model that fails to
    /// load is reported and stays unready.
    public func run() async throws {
        let router = Router()
        if let token = configuration.token { router.add(middleware: BearerTokenMiddleware(token: token)) }
        OpenInferenceRoutes(registry: registry, maxRequestBytes: configuration.maxRequestBytes).add(to: router)
        ImageRoutes(registry: registry, defaultModel: models.first, maxRequestBytes: configuration.maxRequestBytes, log: log)
            .add(to: router)
        let models = models
        let registry = registry
        let load = load
        let log = log
        let configuration = configuration
        var logger = Logger(label: "tessera-serve")
        logger.logLevel = .warning
        let app = Application(
            router: router,
            configuration: ApplicationConfiguration(address: .hostname(configuration.host, port: configuration.port), serverName: "tessera"),
            onServerRunning: { _ in
                log("serving the Open Inference Protocol on http://\(configuration.host):\(configuration.port)")
                for name in models {
                    do {
                        registry.add(ServedModel(name: name, loaded: try await load(name)))
                        log("model \(name) ready")
                    } catch {
                        log("model \(name) failed to load: \(error)")
                    }
                }
                registry.finishLoading(expected: models.count)
            },
            logger: logger)
        try await app.runService()
        registry.closeAll()
    }
}

/// The served models by name, and whether loading is over. Safe from any thread.
final class ModelRegistry: Sendable {
    private struct State {
        var models: [String: ServedModel] = [:]
        var loading = true
        var ready = false
    }

    private let state = Mutex(State())

    func add(_ model: ServedModel) { state.withLock { $0.models[model.name] = model } }

    /// Loading is over; readiness: every model asked for loaded.
    func finishLoading(expected: Int) {
        state.withLock {
            $0.loading = false
            $0.ready = $0.models.count == expected
        }
    }

    var isReady: Bool { state.withLock { $0.ready } }

    /// Whether models are still being loaded (one not there yet may still come).
    var isLoading: Bool { state.withLock { $0.loading } }

    func model(_ name: String) -> ServedModel? { state.withLock { $0.models[name] } }

    func closeAll() { state.withLock { $0.models.values.forEach { $0.pool.close() } } }
}
