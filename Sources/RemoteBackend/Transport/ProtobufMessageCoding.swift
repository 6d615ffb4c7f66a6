import Foundation
import GRPCCore
import SwiftProtobuf

// The generated gRPC client's message coding, over SwiftProtobuf directly: grpc-swift-protobuf's
// own pair would bring its code-generator plugins, and protoc with them, into every build.
// Scripts/generate-inference-grpc.sh points the generated code here.

/// Encodes a request message for the wire.
struct ProtobufMessageSerializer<Message: SwiftProtobuf.Message>: MessageSerializer {
    func serialize<Bytes: GRPCContiguousBytes>(_ message: Message) throws -> Bytes {
        do {
            return Bytes(try message.serializedData())
        } catch {
            throw RPCError(code: .invalidArgument, message: "cannot encode \(Message.protoMessageName)", cause: error)
        }
    }
}

/// Decodes a reply message from the wire.
struct ProtobufMessageDeserializer<Message: SwiftProtobuf.Message>: MessageDeserializer {
    func deserialize<Bytes: GRPCContiguousBytes>(_ serializedMessageBytes: Bytes) throws -> Message {
        do {
            return try Message(serializedBytes: serializedMessageBytes.withUnsafeBytes { Data($0) })
        } catch {
            throw RPCError(code: .internalError, message: "cannot decode \(Message.protoMessageName)", cause: error)
        }
    }
}
