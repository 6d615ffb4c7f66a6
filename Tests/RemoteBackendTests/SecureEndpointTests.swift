import Foundation
import InferenceRuntime
import RemoteBackend
import Testing
import TesseraTestSupport

/// The remote backend over TLS (`https://` against the faulty server answering HTTPS, `grpcs://`
/// against Triton) with certificates `openssl` makes at test time, and with a bearer token that
/// Triton requires over REST (its restricted APIs; over gRPC Triton checks only headers of its
/// own, `triton-grpc-protocol-…`, not `authorization`).
@Suite("Remote backend over TLS and with a bearer token", .serialized)
struct SecureEndpointTests {
    @Test("https:// with the CA named connects and runs a tile; without it, a TLS error naming the endpoint")
    func https() async throws {
        let folder = try Fixtures.temporaryDirectory("tls")
        defer { try? FileManager.default.removeItem(at: folder) }
        let certificates = try TestCertificates.make(in: folder)
        let server = try await FaultyServer.start(fault: "none", tls: certificates, in: folder)
        defer { server.kill() }
        let url = "https://127.0.0.1:\(server.httpPort)"

        let trusted = await RemoteBackend.connect([try RemoteEndpoint(url, model: "srvgg", caFile: certificates.authority.path)])
        #expect(trusted.failures.isEmpty, "\(trusted.failures)")
        let session = try await trusted.makeSession(
            model: try ServingFixture.model(), device: try ServingFixture.device(of: trusted), options: SessionOptions())
        let reply = try await ServingFixture.run(session, ["input": try ServingFixture.tile(height: 24, width: 24, seed: 2)])
        #expect(reply["output"]?.shape == [1, 3, 96, 96])

        let untrusted = await RemoteBackend.connect([try RemoteEndpoint(url, model: "srvgg", retries: 0)])
        guard case .tls(let endpoint, _)? = untrusted.failures.first else {
            Issue.record("expected a TLS failure, got \(untrusted.failures)")
            return
        }
        #expect(endpoint == url)
    }

    @Test("A token Triton requires: refused without it, naming the endpoint; grpcs:// needs the CA; with both, tiles equal the local run's")
    func tokenAndGRPCS() async throws {
        let folder = try Fixtures.temporaryDirectory("tls")
        defer { try? FileManager.default.removeItem(at: folder) }
        let certificates = try TestCertificates.make(in: folder)
        let header = "authorization=Bearer s3cret"
        let server = try await TritonServer.start(
            model: try ServingFixture.model(), name: "srvgg",
            arguments: [
                "--grpc-use-ssl=true", "--grpc-server-cert=\(certificates.certificate.path)",
                "--grpc-server-key=\(certificates.key.path)", "--http-restricted-api=metadata,inference:\(header)",
            ], in: folder)
        defer { server.kill() }
        let rest = server.httpURL.absoluteString
        let grpcs = "grpcs://127.0.0.1:\(server.grpcPort)"
        let ca = certificates.authority.path

        let refused = await RemoteBackend.connect([try RemoteEndpoint(rest, model: "srvgg", retries: 0)])
        guard case .status(let endpoint, let code, _)? = refused.failures.first else {
            Issue.record("expected a refusal, got \(refused.failures)")
            return
        }
        #expect(endpoint == rest && [401, 403].contains(code), "\(refused.failures)")
        #expect(refused.failures.first?.description.contains("bearer token") == true)

        let untrusted = await RemoteBackend.connect([
            try RemoteEndpoint(grpcs, model: "srvgg", token: "s3cret", timeout: .seconds(5), retries: 0)
        ])
        guard case .tls(let name, _)? = untrusted.failures.first else {
            Issue.record("expected a TLS failure, got \(untrusted.failures)")
            return
        }
        #expect(name == grpcs)

        let remote = await RemoteBackend.connect([
            try RemoteEndpoint(rest, model: "srvgg", token: "s3cret"), try RemoteEndpoint(grpcs, model: "srvgg", token: "s3cret", caFile: ca),
        ])
        #expect(remote.failures.isEmpty, "\(remote.failures)")
        let local = try await ServingFixture.localSession()
        let tile = try ServingFixture.tile(height: 20, width: 28, seed: 5)
        let expected = try #require(try await ServingFixture.run(local, ["input": tile])["output"])
        for device in remote.devices() {
            let session = try await remote.makeSession(model: try ServingFixture.model(), device: device, options: SessionOptions())
            let served = try #require(try await ServingFixture.run(session, ["input": tile])["output"])
            let difference = try ServingFixture.maxDifference(served, expected)
            #expect(difference <= 1e-5, "\(device.id): max |remote − local| = \(difference)")
        }
    }
}
