public import Foundation
public import TensorCore

/// A message's bytes as they travel over REST: the JSON header, followed, with the binary tensor
/// extension, by each tensor's raw little-endian bytes.
public struct EncodedMessage: Sendable {
    public var body: Data
    /// The JSON header's length, sent as `Inference-Header-Content-Length`; `nil` for plain JSON.
    public var headerLength: Int?
}

/// `POST /v2/models/NAME/infer`'s body.
///
/// With the binary tensor extension (``encoded(binary:)`` with `true`, the default of clients)
/// the inputs travel as raw bytes and the outputs are asked for as raw bytes too; without it,
/// values are JSON numbers: several times larger and slower, kept for peers that lack the extension.
public struct InferenceRequest: Sendable {
    public var id: String?
    public var inputs: [(name: String, tensor: Tensor)]
    /// The outputs asked for; empty asks for all.
    public var outputs: [String]
    /// Whether the outputs should come back as raw bytes.
    public var binaryOutputs: Bool

    public init(id: String? = nil, inputs: [(name: String, tensor: Tensor)], outputs: [String], binaryOutputs: Bool = true) {
        self.id = id
        self.inputs = inputs
        self.outputs = outputs
        self.binaryOutputs = binaryOutputs
    }

    private struct Header: Codable {
        var id: String?
        var inputs: [TensorHeader]
        var outputs: [Output]?
        var parameters: Parameters?
    }

    private struct Output: Codable {
        var name: String
        var parameters: TensorHeader.Parameters?
    }

    private struct Parameters: Codable {
        var binary_data_output: Bool?
    }

    /// The request's bytes, its inputs as raw bytes when `binary`.
    /// - Throws: ``ProtocolError/unsupportedType(name:type:)``.
    public func encoded(binary: Bool) throws(ProtocolError) -> EncodedMessage {
        var described: [TensorHeader] = []
        for (name, tensor) in inputs { described.append(try TensorHeader(name: name, tensor: tensor, binary: binary)) }
        let header = Header(
            id: id, inputs: described,
            outputs: outputs.map { Output(name: $0, parameters: .init(binary_data: binaryOutputs)) })
        return EncodedMessage.joining(header: header, tensors: binary ? inputs.map(\.tensor) : [])
    }

    /// Reads a request as a server receives it.
    /// - Throws: ``ProtocolError`` naming what is wrong.
    public static func decode(_ body: Data, headerLength: Int?) throws(ProtocolError) -> InferenceRequest {
        var (header, offset) = try decodeHeader(Header.self, body: body, headerLength: headerLength)
        var inputs: [(name: String, tensor: Tensor)] = []
        for input in header.inputs { inputs.append((input.name, try input.tensor(in: body, at: &offset, role: "input"))) }
        guard offset == body.endIndex else { throw .malformed("\(body.endIndex - offset) bytes follow the last input") }
        let requested = header.outputs ?? []
        // Binary replies unless the request asks for JSON (per output or for all).
        let binary = header.parameters?.binary_data_output
            ?? (requested.isEmpty ? headerLength != nil : requested.allSatisfy { $0.parameters?.binary_data ?? (headerLength != nil) })
        return InferenceRequest(id: header.id, inputs: inputs, outputs: requested.map(\.name), binaryOutputs: binary)
    }
}

/// The reply to an inference request.
public struct InferenceResponse: Sendable {
    public var modelName: String
    public var id: String?
    public var outputs: [(name: String, tensor: Tensor)]

    public init(modelName: String, id: String? = nil, outputs: [(name: String, tensor: Tensor)]) {
        self.modelName = modelName
        self.id = id
        self.outputs = outputs
    }

    private struct Header: Codable {
        var model_name: String?
        var id: String?
        var outputs: [TensorHeader]
    }

    /// The reply's bytes, its outputs as raw bytes when `binary`.
    public func encoded(binary: Bool) throws(ProtocolError) -> EncodedMessage {
        var described: [TensorHeader] = []
        for (name, tensor) in outputs { described.append(try TensorHeader(name: name, tensor: tensor, binary: binary)) }
        return EncodedMessage.joining(
            header: Header(model_name: modelName, id: id, outputs: described), tensors: binary ? outputs.map(\.tensor) : [])
    }

    /// Reads a reply, binary or JSON: servers disagree on whether a binary request gets a
    /// binary reply, so both are accepted whatever was asked. Sizes are checked against shapes
    /// and types before any tensor is built: a truncated or padded body is refused, never misread.
    public static func decode(_ body: Data, headerLength: Int?) throws(ProtocolError) -> InferenceResponse {
        var (header, offset) = try decodeHeader(Header.self, body: body, headerLength: headerLength)
        var outputs: [(name: String, tensor: Tensor)] = []
        for output in header.outputs { outputs.append((output.name, try output.tensor(in: body, at: &offset, role: "output"))) }
        guard offset == body.endIndex else { throw .malformed("\(body.endIndex - offset) bytes follow the last output") }
        return InferenceResponse(modelName: header.model_name ?? "", id: header.id, outputs: outputs)
    }
}

extension EncodedMessage {
    /// `header` as JSON, then the raw bytes of `tensors` in order.
    fileprivate static func joining<Header: Encodable>(header: Header, tensors: [Tensor]) -> EncodedMessage {
        // Plain structs of strings and numbers always encode.
        let json = (try? JSONEncoder().encode(header)) ?? Data()
        var body = json
        body.reserveCapacity(json.count + tensors.reduce(0) { $0 + ($1.rawBytes?.count ?? 0) })
        for tensor in tensors { body.append(tensor.rawBytes ?? Data()) }
        return EncodedMessage(body: body, headerLength: tensors.isEmpty ? nil : json.count)
    }
}
