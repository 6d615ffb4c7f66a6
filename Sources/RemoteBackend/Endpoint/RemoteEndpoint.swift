public import Foundation

/// One inference server, and the model Tessera asks it for, as the user named it:
/// `--remote http://host:8000 --remote-model NAME`.
///
/// ```swift
/// let endpoint = try RemoteEndpoint("https://triton.example:8000", model: "realesr-animevideov3-x4", token: secret)
/// ```
public struct RemoteEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// How requests travel.
    public enum Transport: String, Sendable, Hashable {
        /// REST, with the binary tensor extension unless ``RemoteEndpoint/binaryTensors`` is off.
        case rest
        /// gRPC (`grpc://`, `grpcs://`).
        case grpc
    }

    /// The server's base URL (a path prefix, as behind a gateway, is kept).
    public var url: URL
    public var transport: Transport
    /// Whether the connection uses TLS (`https://`, `grpcs://`).
    public var usesTLS: Bool
    /// The model's name on the server.
    public var model: String
    /// A model version to pin; `nil` lets the server choose.
    public var version: String?
    /// Sent as `Authorization: Bearer TOKEN` (REST) or `authorization` metadata (gRPC).
    public var token: String?
    /// A PEM file of the certificates to trust for TLS (a private CA's, or a self-signed
    /// server's) instead of the system's.
    public var caFile: String?
    /// How long one request may take before it counts as failed.
    public var timeout: Duration
    /// Further attempts after a transient failure (no connection, timeout, 429, 502–504), with
    /// exponential backoff from ``backoff``.
    public var retries: Int
    public var backoff: Duration
    /// Send and ask for tensors as raw bytes (the protocol's binary extension) rather than JSON numbers.
    public var binaryTensors: Bool
    /// The largest reply accepted: a reply claiming more is refused before it is read whole.
    public var maxReplyBytes: Int

    /// Parses `url`: `http://`, `https://`, `grpc://` or `grpcs://`, with a host and a port
    /// (the scheme's default where omitted: 80, 443; gRPC has none).
    /// - Throws: ``RemoteError/invalidEndpoint(url:reason:)``.
    public init(
        _ url: String, model: String, version: String? = nil, token: String? = nil, caFile: String? = nil,
        timeout: Duration = .seconds(60),
        retries: Int = 2, backoff: Duration = .milliseconds(200), binaryTensors: Bool = true,
        maxReplyBytes: Int = 1 << 30
    ) throws(RemoteError) {
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(), let host = parsed.host, !host.isEmpty else {
            throw .invalidEndpoint(url: url, reason: "not a URL with a scheme and a host (http://host:port)")
        }
        switch scheme {
        case "http", "https": transport = .rest
        case "grpc", "grpcs":
            transport = .grpc
            guard parsed.port != nil else { throw .invalidEndpoint(url: url, reason: "a gRPC endpoint needs a port") }
        default: throw .invalidEndpoint(url: url, reason: "the scheme must be http, https, grpc or grpcs, not \(scheme)")
        }
        guard !model.isEmpty else { throw .invalidEndpoint(url: url, reason: "no model name") }
        guard retries >= 0, timeout > .zero else { throw .invalidEndpoint(url: url, reason: "timeout and retries must be positive") }
        usesTLS = scheme.hasSuffix("s")
        // A trailing slash would double up when paths are appended.
        self.url = parsed.path.hasSuffix("/") ? URL(string: String(url.dropLast())) ?? parsed : parsed
        self.model = model
        self.version = version
        self.token = token
        self.caFile = caFile
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.binaryTensors = binaryTensors
        self.maxReplyBytes = maxReplyBytes
    }

    /// `http://host:port` (with any path prefix), the name messages and device ids use; never the token.
    public var description: String { url.absoluteString }

    /// The host and port, for gRPC.
    var hostAndPort: (host: String, port: Int) {
        (url.host ?? "", url.port ?? (usesTLS ? 443 : 80))
    }

    /// `v2/models/NAME[/versions/V]`: the model's path below the base URL.
    var modelPath: String {
        "v2/models/\(model)" + (version.map { "/versions/\($0)" } ?? "")
    }
}
