import Foundation
import InferenceRuntime
import Testing

@Suite("Operator support tables")
struct OperatorSupportTableTests {
    let table = OperatorSupportTable(
        library: "example", libraryVersion: "1.0",
        operators: ["ai.onnx": [
            "Conv": [.init(since: 1, until: 10, types: ["float"]), .init(since: 11, types: ["float", "float16"])],
            "Resize": [.init(since: 10, until: 13)],
        ]])

    @Test("Lookups: supported, missing, too new, wrong type")
    func lookups() {
        #expect(table.lookup(OperatorKey(domain: "", type: "Conv", sinceVersion: 11), firstInputType: .float16) == .supported)
        #expect(table.lookup(OperatorKey(domain: "", type: "Conv", sinceVersion: 1), firstInputType: .float16) == .dataType(.float16))
        #expect(table.lookup(OperatorKey(domain: "", type: "Resize", sinceVersion: 19), firstInputType: nil) == .versionTooNew(newestSupported: 13))
        #expect(table.lookup(OperatorKey(domain: "", type: "Einsum", sinceVersion: 12), firstInputType: nil) == .missing)
    }

    @Test("Tables decode from the probe scripts' JSON; an open range covers later versions")
    func decoding() throws {
        let json = Data(#"{"library":"x","libraryVersion":"1","operators":{"ai.onnx":{"Relu":[{"since":1}]}}}"#.utf8)
        let decoded = try OperatorSupportTable(json: json)
        #expect(decoded.lookup(OperatorKey(domain: "", type: "Relu", sinceVersion: 14), firstInputType: .float32) == .supported)
    }
}
