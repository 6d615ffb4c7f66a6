public import Foundation

/// A certificate authority and a server certificate it signed for 127.0.0.1 and localhost,
/// made with Debian's `openssl` at test time (P-256 keys, valid one day).
public struct TestCertificates: Sendable {
    /// `openssl` failed.
    public struct Failure: Error, CustomStringConvertible {
        public var step: String
        public var stderr: String
        public var description: String { "openssl \(step) failed: \(stderr)" }
    }

    /// The authority's certificate (PEM): what a client is told to trust.
    public var authority: URL
    public var certificate: URL
    public var key: URL

    /// Makes the files in `folder`.
    public static func make(in folder: URL) throws -> TestCertificates {
        let openssl = URL(fileURLWithPath: "/usr/bin/openssl")
        func file(_ name: String) -> String { folder.appendingPathComponent(name).path }
        let extensions = folder.appendingPathComponent("server.ext")
        try "subjectAltName=IP:127.0.0.1,DNS:localhost\n".write(to: extensions, atomically: true, encoding: .utf8)
        let key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        let steps: [[String]] = [
            ["req", "-x509"] + key + ["-keyout", file("ca.key"), "-out", file("ca.pem"), "-days", "1", "-subj", "/CN=Tessera test CA"],
            ["req"] + key + ["-keyout", file("server.key"), "-out", file("server.csr"), "-subj", "/CN=127.0.0.1"],
            [
                "x509", "-req", "-in", file("server.csr"), "-CA", file("ca.pem"), "-CAkey", file("ca.key"), "-CAcreateserial",
                "-out", file("server.pem"), "-days", "1", "-extfile", extensions.path,
            ],
        ]
        for step in steps {
            let result = try runProcess(openssl, step)
            guard result.status == 0 else { throw Failure(step: step.joined(separator: " "), stderr: result.stderr) }
        }
        return TestCertificates(
            authority: folder.appendingPathComponent("ca.pem"), certificate: folder.appendingPathComponent("server.pem"),
            key: folder.appendingPathComponent("server.key"))
    }
}
