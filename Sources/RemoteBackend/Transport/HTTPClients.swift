import AsyncHTTPClient
import NIOSSL
import Synchronization

/// The REST clients' HTTP clients: one per CA file (``RemoteEndpoint/caFile``; one for the
/// system's trust roots), kept for the process's life as `HTTPClient.shared` is, so their
/// connection pools serve every endpoint that trusts the same certificates.
///
/// A connection that cannot be made fails its request at once, instead of being tried again
/// until the request's deadline as `HTTPClient.shared` does: ``RESTClient`` retries what may
/// pass (refused, reset) with its own backoff, and a certificate that is not trusted, which no
/// retry mends, is reported in a moment rather than after the timeout.
enum HTTPClients {
    private static let clients = Mutex<[String?: HTTPClient]>([:])

    /// The client for `endpoint`: trusting the certificates in its CA file (PEM), if it names one.
    /// - Throws: ``RemoteError/invalidEndpoint(url:reason:)`` naming the endpoint and the file.
    static func client(for endpoint: RemoteEndpoint) throws(RemoteError) -> HTTPClient {
        var tls: TLSConfiguration?
        if let file = endpoint.caFile {
            let certificates: [NIOSSLCertificate]
            do {
                certificates = try NIOSSLCertificate.fromPEMFile(file)
            } catch {
                throw .invalidEndpoint(url: endpoint.description, reason: "the CA file \(file) cannot be read as PEM certificates: \(error)")
            }
            guard !certificates.isEmpty else {
                throw .invalidEndpoint(url: endpoint.description, reason: "the CA file \(file) holds no certificate")
            }
            tls = TLSConfiguration.makeClientConfiguration()
            tls?.trustRoots = .certificates(certificates)
        }
        return clients.withLock { clients in
            if let client = clients[endpoint.caFile] { return client }
            var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
            configuration.connectionPool.retryConnectionEstablishment = false
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            clients[endpoint.caFile] = client
            return client
        }
    }
}
