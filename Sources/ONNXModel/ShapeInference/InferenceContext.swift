import TensorCore

/// What an operator's inference rule sees of one node: its attributes, the types and known values
/// of its inputs, and the opset it is written against.
///
/// Attribute helpers validate as they read, so a malformed file fails with a message naming the
/// node and attribute instead of trapping later.
struct InferenceContext {
    let node: Node
    /// How messages name the node.
    let label: String
    /// The default-domain opset version.
    let opset: Int
    let inputTypes: [ValueType?]
    let inputConstants: [Tensor?]
    let inputSymbolic: [SymbolicValue?]
    /// The enclosing inference pass, for rules that infer subgraphs against it.
    let scope: InferenceEngine
    /// Why outputs are incomplete, when the rule knows better than "could not infer".
    var notes: [String] = []
    /// Outputs whose value the rule computed exactly (Constant, Identity of a constant).
    var outputConstants: [Int: Tensor] = [:]

    /// An error naming this node.
    func invalid(_ reason: String) -> ONNXModelError { .invalidNode(node: label, reason: reason) }

    /// Records why the outputs are incomplete.
    mutating func note(_ reason: String) { notes.append(reason) }

    // MARK: Inputs

    /// Number of input slots, omitted ones included.
    var inputCount: Int { node.inputs.count }

    /// True when input `index` is present (not omitted with an empty name).
    func has(_ index: Int) -> Bool { index < node.inputs.count && !node.inputs[index].isEmpty }

    func type(_ index: Int) -> ValueType? { index < inputTypes.count ? inputTypes[index] : nil }
    func tensor(_ index: Int) -> TensorType? { type(index)?.tensorType }
    func dims(_ index: Int) -> [Dim]? { tensor(index)?.dims }
    func element(_ index: Int) -> DataType? { tensor(index)?.elementType }
    func rank(_ index: Int) -> Int? { dims(index)?.count }

    /// The rank of input `index`, or an error when the input is present with a different rank.
    func requireRank(_ index: Int, _ expected: Int, what: String) throws -> [Dim]? {
        guard let dims = dims(index) else { return nil }
        guard dims.count == expected else { throw invalid("\(what) has rank \(dims.count), expected \(expected)") }
        return dims
    }

    /// The element count of a 1-D input whose length is static, e.g. a `shape` input whose values
    /// are unknown but whose length gives the output rank. Lengths beyond any plausible rank are
    /// treated as unknown: rules allocate one dim per element.
    func staticLength(_ index: Int) -> Int? {
        guard let dims = dims(index), dims.count <= 1 else { return nil }
        guard let length = dims.first?.value ?? (dims.isEmpty ? 1 : nil) else { return nil }
        return length <= SymbolicValue.maximumCount ? length : nil
    }

    // MARK: Attributes

    func attribute(_ name: String) -> Attribute? { node.attribute(name) }

    private func wrongType(_ attribute: Attribute, expected: String) -> ONNXModelError {
        invalid("attribute '\(attribute.name)' is \(attribute.typeName), expected \(expected)")
    }

    func int(_ name: String) throws -> Int? {
        guard let attribute = attribute(name) else { return nil }
        guard case .int(let value) = attribute.value else { throw wrongType(attribute, expected: "INT") }
        guard let result = Int(exactly: value) else { throw invalid("attribute '\(name)' is out of range") }
        return result
    }

    func int(_ name: String, default value: Int) throws -> Int { try int(name) ?? value }

    func ints(_ name: String) throws -> [Int]? {
        guard let attribute = attribute(name) else { return nil }
        guard case .ints(let values) = attribute.value else { throw wrongType(attribute, expected: "INTS") }
        var result: [Int] = []
        result.reserveCapacity(values.count)
        for value in values {
            guard let converted = Int(exactly: value) else { throw invalid("attribute '\(name)' is out of range") }
            result.append(converted)
        }
        return result
    }

    func float(_ name: String) throws -> Float? {
        guard let attribute = attribute(name) else { return nil }
        guard case .float(let value) = attribute.value else { throw wrongType(attribute, expected: "FLOAT") }
        return value
    }

    func floats(_ name: String) throws -> [Float]? {
        guard let attribute = attribute(name) else { return nil }
        guard case .floats(let values) = attribute.value else { throw wrongType(attribute, expected: "FLOATS") }
        return values
    }

    func string(_ name: String) throws -> String? {
        guard let attribute = attribute(name) else { return nil }
        guard let value = attribute.stringValue else { throw wrongType(attribute, expected: "STRING") }
        return value
    }

    func tensorAttribute(_ name: String) throws -> Tensor? {
        guard let attribute = attribute(name) else { return nil }
        guard case .tensor(let stored) = attribute.value else { throw wrongType(attribute, expected: "TENSOR") }
        return stored.tensor
    }

    /// An element-type attribute such as Cast's `to`.
    func dataType(_ name: String) throws -> DataType? {
        guard let code = try int(name) else { return nil }
        guard let small = Int32(exactly: code), let type = DataType(rawValue: small) else {
            throw invalid("attribute '\(name)' is \(code), not a known data type")
        }
        return type
    }

    /// `count` values of attribute `name`, each at least `minimum`, or `fallback` repeated when absent.
    func ints(_ name: String, count: Int, minimum: Int, default fallback: Int) throws -> [Int] {
        guard let values = try ints(name) else { return Array(repeating: fallback, count: count) }
        guard values.count == count else {
            throw invalid("attribute '\(name)' has \(values.count) values, expected \(count)")
        }
        if let bad = values.first(where: { $0 < minimum }) {
            throw invalid("attribute '\(name)' has value \(bad), expected at least \(minimum)")
        }
        return values
    }

    // MARK: Axes

    /// Where an operator's `axes` come from, for operators that moved them from an attribute to an
    /// input at some opset (Squeeze, Unsqueeze, the reductions).
    enum AxesOperand {
        /// Neither attribute nor input is given.
        case absent
        case known([Int])
        /// An input whose value is only known at run time.
        case unknown
    }

    /// The `axes` attribute before opset `inputSince`, input `input` from then on.
    func axesOperand(inputSince: Int, input: Int) throws -> AxesOperand {
        if opset < inputSince { return try ints("axes").map(AxesOperand.known) ?? .absent }
        guard has(input) else { return .absent }
        return intValues(input).map(AxesOperand.known) ?? .unknown
    }

    /// Maps a possibly negative axis into `0..<rank`.
    func axis(_ value: Int, rank: Int, name: String = "axis") throws -> Int {
        guard value >= -rank && value < rank else {
            throw invalid("\(name) \(value) is outside [\(-rank), \(rank - 1)] for rank \(rank)")
        }
        return value < 0 ? value + rank : value
    }

    /// Normalizes a list of axes, rejecting duplicates.
    func axes(_ values: [Int], rank: Int, name: String = "axes") throws -> [Int] {
        var seen: Set<Int> = []
        var result: [Int] = []
        for value in values {
            let axis = try axis(value, rank: rank, name: name)
            guard seen.insert(axis).inserted else { throw invalid("\(name) lists axis \(value) twice") }
            result.append(axis)
        }
        return result
    }
}
