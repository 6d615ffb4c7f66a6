import InferenceRuntime
import ModelManifest
import Tessera
import Testing
import TesseraTestSupport
import TilePipeline

@Suite("Variant choice: candidates in preference order → the variant used, with reasons")
struct VariantChoiceTests {
    static let gib: Int64 = 1 << 30

    static func candidate(
        _ library: BackendID, _ version: String, kind: Device.Kind = .cpu, memory: Int64? = 16 * gib, route: String = "CPU"
    ) -> VariantCandidate {
        let device = Device(
            id: DeviceID("\(library):\(route)"), kind: kind, vendor: "", name: "\(kind) \(route)", memoryBytes: memory,
            backend: library, route: route, specificity: 1)
        return VariantCandidate(device: device, libraryVersion: version)
    }

    static func variant(
        _ library: ModelManifest.Library?, _ precision: ModelManifest.Precision, minVersion: String? = nil, minMemoryMB: Int? = nil
    ) -> ModelManifest.Variant {
        let requires = minVersion == nil && minMemoryMB == nil ? nil : ModelManifest.Requirements(minVersion: minVersion, minMemoryMB: minMemoryMB)
        let name = "\(library?.rawValue ?? "any")-\(precision)"
        return ModelManifest.Variant(
            library: library, precision: precision, file: "\(name).onnx", url: "\(name).onnx",
            sha256: String(repeating: "a", count: 64), bytes: 100, requires: requires)
    }

    static func manifest(_ variants: [ModelManifest.Variant]) -> ModelManifest {
        ModelManifest(id: "m", scale: 4, input: .init(name: "in"), output: .init(name: "out"), variants: variants)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var label: String
        var variants: [ModelManifest.Variant]
        var candidates: [VariantCandidate]
        /// The expected variant name and device id, or nil for no choice.
        var expected: (variant: String, device: String)?
        /// Lines the explanation must contain.
        var explains: [String] = []
        var testDescription: String { label }
    }

    static let ortCPU = candidate(.onnxRuntime, "1.31.1")
    static let ovCPU = candidate(.openVINO, "2026.4.1-20000")

    static let cases: [Case] = [
        Case(
            label: "a variant made for the library beats an any-library one at the same precision",
            variants: [variant(nil, .fp32), variant(.openvino, .fp16), variant(.onnxruntime, .fp32, minVersion: "1.16")],
            candidates: [ortCPU], expected: ("onnxruntime-fp32", "onnxruntime:CPU")),
        Case(
            label: "OpenVINO prefers fp16 when there is one",
            variants: [variant(nil, .fp32), variant(.openvino, .fp16), variant(.onnxruntime, .fp32)],
            candidates: [ovCPU], expected: ("openvino-fp16", "openvino:CPU")),
        Case(
            label: "OpenVINO takes fp32 when no fp16 exists",
            variants: [variant(nil, .fp32), variant(.onnxruntime, .fp16)],
            candidates: [ovCPU], expected: ("any-fp32", "openvino:CPU"),
            explains: ["onnxruntime-fp16 on openvino:CPU: made for onnxruntime, not openvino"]),
        Case(
            label: "a GPU prefers fp16, a CPU fp32",
            variants: [variant(nil, .fp32), variant(nil, .fp16)],
            candidates: [candidate(.onnxRuntime, "1.31.1", kind: .gpu, memory: 80 * gib, route: "cuda:0")],
            expected: ("any-fp16", "onnxruntime:cuda:0")),
        Case(
            label: "a CPU with ONNX Runtime prefers fp32",
            variants: [variant(nil, .fp16), variant(nil, .fp32)], candidates: [ortCPU], expected: ("any-fp32", "onnxruntime:CPU")),
        Case(
            label: "a CPU takes fp16 when it is all there is",
            variants: [variant(nil, .fp16)], candidates: [ortCPU], expected: ("any-fp16", "onnxruntime:CPU")),
        Case(
            label: "int8 only when nothing else fits",
            variants: [variant(nil, .int8), variant(.openvino, .fp32)],
            candidates: [ortCPU], expected: ("any-int8", "onnxruntime:CPU"),
            explains: ["openvino-fp32 on onnxruntime:CPU: made for openvino, not onnxruntime"]),
        Case(
            label: "a library older than minVersion is refused; the any-library variant remains",
            variants: [variant(.onnxruntime, .fp32, minVersion: "1.16"), variant(nil, .fp32)],
            candidates: [candidate(.onnxRuntime, "1.15.1")], expected: ("any-fp32", "onnxruntime:CPU"),
            explains: ["onnxruntime-fp32 on onnxruntime:CPU: library onnxruntime 1.15.1 is older than the required 1.16"]),
        Case(
            label: "versions compare numerically (1.9 < 1.16)",
            variants: [variant(.onnxruntime, .fp32, minVersion: "1.9")],
            candidates: [candidate(.onnxRuntime, "1.16.0")], expected: ("onnxruntime-fp32", "onnxruntime:CPU")),
        Case(
            label: "too little memory moves on to the next candidate",
            variants: [variant(nil, .fp32, minMemoryMB: 4096)],
            candidates: [
                candidate(.openVINO, "2026.4", kind: .gpu, memory: 2 * gib, route: "GPU.0"), candidate(.onnxRuntime, "1.31.1"),
            ],
            expected: ("any-fp32", "onnxruntime:CPU"),
            explains: ["any-fp32 on openvino:GPU.0: needs 4096 MiB, the device has 2048 MiB"]),
        Case(
            label: "unknown device memory does not refuse",
            variants: [variant(nil, .fp32, minMemoryMB: 4096)],
            candidates: [candidate(.onnxRuntime, "1.31.1", memory: nil)], expected: ("any-fp32", "onnxruntime:CPU")),
        Case(
            label: "the first candidate that fits wins, even if a later one has a better variant",
            variants: [variant(nil, .fp32), variant(.openvino, .fp16)],
            candidates: [ortCPU, ovCPU], expected: ("any-fp32", "onnxruntime:CPU")),
        Case(
            label: "nothing fits",
            variants: [variant(.openvino, .fp16)], candidates: [ortCPU], expected: nil,
            explains: ["openvino-fp16 on onnxruntime:CPU: made for openvino, not onnxruntime", "no variant of m fits a library on this machine"]),
        Case(label: "no library at all", variants: [variant(nil, .fp32)], candidates: [], expected: nil, explains: ["no inference library was found"]),
    ]

    @Test("The policy table", arguments: cases)
    func policy(_ item: Case) {
        let choice = VariantChoice(manifest: Self.manifest(item.variants), candidates: item.candidates)
        #expect(choice.pick?.variant.name == item.expected?.variant, "\(choice.explanation)")
        #expect(choice.pick?.candidate.device.id.rawValue == item.expected?.device)
        for line in item.explains { #expect(choice.explanation.contains(line), "\(choice.explanation)") }
        if let expected = item.expected {
            #expect(choice.explanation.last?.hasPrefix("chose \(expected.variant) for \(expected.device)") == true)
        }
    }

    @Test("A capability refusal is explained and the next variant is tried")
    func capabilityRefusal() {
        let manifest = Self.manifest([Self.variant(.onnxruntime, .fp32), Self.variant(nil, .fp32)])
        let choice = VariantChoice(manifest: manifest, candidates: [Self.ortCPU]) { variant, _ in
            variant.library == .onnxruntime ? "operator ai.onnx:Foo:1 is not implemented" : nil
        }
        #expect(choice.pick?.variant.name == "any-fp32")
        #expect(choice.explanation.contains("onnxruntime-fp32 on onnxruntime:CPU: operator ai.onnx:Foo:1 is not implemented"))
    }

    @Test("With ONNX Runtime, a variant whose summary lists an unknown operator is refused before any fetch")
    func summaryAgainstRealLibraries() throws {
        let backends = BackendCatalog.discover().backends
        try #require(backends.contains { $0.id == .onnxRuntime }, "ONNX Runtime not found: run Scripts/setup.sh")
        var unknown = Self.variant(.onnxruntime, .fp32)
        unknown.summary = ModelManifest.Summary(
            irVersion: 8, opsets: ["ai.onnx": 17],
            operators: [ModelManifest.OperatorEntry(domain: "ai.onnx", type: "NoSuchOperator", sinceVersion: 1)])
        var plain = Self.variant(nil, .fp32)
        plain.summary = ModelManifest.Summary(
            irVersion: 8, opsets: ["ai.onnx": 17],
            operators: ["ai.onnx:Conv:11", "ai.onnx:PRelu:16", "ai.onnx:DepthToSpace:13"].compactMap(ModelManifest.OperatorEntry.init))
        let choice = VariantChoice(manifest: Self.manifest([unknown, plain]), backends: backends, library: "onnxruntime")
        #expect(choice.pick?.variant.name == "any-fp32", "\(choice.explanation)")
        #expect(choice.pick?.candidate.device.backend == .onnxRuntime)
        #expect(
            choice.explanation.contains { $0.hasPrefix("onnxruntime-fp32 on onnxruntime:") && $0.contains("NoSuchOperator") },
            "\(choice.explanation)")
    }

    @Test("Candidates follow the selection policy and --library")
    func rankedCandidates() throws {
        let backends = BackendCatalog.discover().backends
        try #require(!backends.isEmpty, "no inference library found: run Scripts/setup.sh")
        let all = VariantCandidate.ranked(backends: backends)
        #expect(all.count == backends.flatMap { $0.devices() }.count)
        for candidate in all {
            let backend = try #require(backends.first { $0.id == candidate.device.backend })
            #expect(candidate.libraryVersion == backend.version)
        }
        let onlyORT = VariantCandidate.ranked(backends: backends, library: "onnxruntime")
        #expect(onlyORT.allSatisfy { $0.device.backend == .onnxRuntime })
        #expect(!onlyORT.isEmpty)
    }
}
