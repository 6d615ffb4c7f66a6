public import InferenceRuntime
import TensorCore

/// Every operator the reference engine implements, keyed like ONNX Runtime's kernel registry:
/// (domain, operator type, since-version range).
///
/// A node resolves to the since-version of its operator at the model's opset (through the
/// schema table) and then to the registration whose range covers it, so a model written
/// against an opset newer than an implementation is refused instead of run with old semantics.
/// The capability table of ``ReferenceBackend`` is this registry (``supportTable``).
public struct OperatorRegistry: Sendable {
    /// One implemented version range of an operator.
    struct Registration: Sendable {
        var domain: String
        var type: String
        var since: Int
        var until: Int?
        /// Element types the first input may have; `nil` means any the engine holds.
        var types: [DataType]?
        /// Whether the node may be evaluated at load when its inputs are constant.
        var foldable: Bool
        var factory: @Sendable (_ node: NodeContext) throws(ReferenceEngineError) -> StepKernel

        func covers(_ version: Int) -> Bool { since <= version && version <= (until ?? Int.max) }
    }

    private var registrations: [String: [Registration]] = [:]

    init() {}

    /// Registers `factory` for `type` from since-version `since` through `until` (open when `nil`).
    mutating func register(
        _ type: String, domain: String = "", since: Int = 1, until: Int? = nil, types: [DataType]? = nil,
        foldable: Bool = true, _ factory: @escaping KernelFactory
    ) {
        let entry = Registration(
            domain: domain, type: type, since: since, until: until, types: types, foldable: foldable,
            factory: { node throws(ReferenceEngineError) in .tensors(try factory(node)) })
        registrations[Self.key(domain, type), default: []].append(entry)
    }

    /// Registers a kernel over values of any kind (sequences, optionals) for `type`.
    mutating func registerValues(
        _ type: String, since: Int = 1, until: Int? = nil, foldable: Bool = true, _ factory: @escaping ValueKernelFactory
    ) {
        let entry = Registration(
            domain: "", type: type, since: since, until: until, types: nil, foldable: foldable,
            factory: { node throws(ReferenceEngineError) in .values(try factory(node)) })
        registrations[Self.key("", type), default: []].append(entry)
    }

    /// The registration covering `key`, if any.
    func registration(for key: OperatorKey) -> Registration? {
        registrations[Self.key(key.domain, key.type)]?.first { $0.covers(key.sinceVersion) }
    }

    /// The operators registered, as `domain:type` (`""` domain spelled without a prefix), sorted.
    public var operatorNames: [String] {
        registrations.values.compactMap(\.first).map { ($0.domain.isEmpty ? "" : "\($0.domain):") + $0.type }.sorted()
    }

    /// The registry as a capability table: what ``ReferenceBackend/capability(of:on:)`` checks against.
    public var supportTable: OperatorSupportTable {
        var operators: [String: [String: [OperatorSupportTable.Entry]]] = [:]
        for entries in registrations.values {
            for entry in entries {
                let domain = entry.domain.isEmpty ? "ai.onnx" : entry.domain
                operators[domain, default: [:]][entry.type, default: []].append(
                    .init(since: entry.since, until: entry.until, types: entry.types?.map(\.onnxName)))
            }
        }
        return OperatorSupportTable(library: "reference", libraryVersion: ReferenceBackend.engineVersion, operators: operators)
    }

    private static func key(_ domain: String, _ type: String) -> String {
        (domain == "ai.onnx" ? "" : domain) + ":" + type
    }

    /// Every kernel the engine has.
    public static let standard: OperatorRegistry = {
        var registry = OperatorRegistry()
        registry.registerElementwise()
        registry.registerShape()
        registry.registerLinear()
        registry.registerPooling()
        registry.registerReductions()
        registry.registerNormalization()
        registry.registerIndexing()
        registry.registerResize()
        registry.registerQuantization()
        registry.registerWindows()
        registry.registerAttention()
        registry.registerRotaryEmbedding()
        registry.registerScaledNormalization()
        registry.registerGridSample()
        registry.registerRoiAlign()
        registry.registerNonMaxSuppression()
        registry.registerUnique()
        registry.registerEinsum()
        registry.registerDeterminant()
        registry.registerMaxUnpool()
        registry.registerCenterCropPad()
        registry.registerIf()
        registry.registerLoop()
        registry.registerScan()
        registry.registerSequences()
        registry.registerOptionals()
        registry.registerRecurrent()
        registry.registerDFT()
        registry.registerSTFT()
        registry.registerMelWeightMatrix()
        registry.registerCol2Im()
        registry.registerDeformConv()
        registry.registerAffineGrid()
        registry.registerTensorScatter()
        registry.registerStrings()
        registry.registerTfIdfVectorizer()
        registry.registerOptimizers()
        return registry
    }()
}
