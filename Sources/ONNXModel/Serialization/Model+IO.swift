public import Foundation
internal import SwiftProtobuf

/// How ``Model/write(to:options:)`` lays out tensor data.
public struct SaveOptions: Sendable {
    /// Where tensor payloads go.
    public enum ExternalData: Sendable, Hashable {
        /// Tensors loaded from external files go back to files of the same names beside the new
        /// model; all others stay inside it.
        case keep
        /// Every tensor inside the model file (fails past protobuf's 2 GiB limit).
        case inline
        /// Every tensor of at least `threshold` bytes into one file `name` beside the model.
        case file(String, threshold: Int)
    }

    public var externalData: ExternalData

    public init(externalData: ExternalData = .keep) {
        self.externalData = externalData
    }
}

extension Model {
    /// Loads a model file, resolving external data relative to its folder.
    ///
    /// The file is memory-mapped and parsed once; initializer payloads are copied once by the
    /// parser and never again, and external data stays mapped (views valid while the model lives).
    /// - Throws: ``ModelFileError`` naming the file and the cause.
    public init(contentsOf url: URL) throws(ModelFileError) {
        do {
            let file = try MappedFile(url: url)
            try self.init(serializedBytes: file.contents, baseDirectory: url.deletingLastPathComponent())
        } catch {
            throw ModelFileError(path: url.path, error: error)
        }
    }

    /// Parses a serialized model.
    /// - Parameter baseDirectory: the folder external data is relative to; `nil` refuses external data.
    public init(serializedBytes bytes: Data, baseDirectory: URL? = nil) throws(ONNXModelError) {
        if bytes.isEmpty { throw .notAModel(reason: "the file is empty") }
        if let format = KnownFormat.sniff(bytes) {
            throw .notAModel(reason: "the file is \(format)")
        }
        let proto: Onnx_ModelProto
        do {
            proto = try Onnx_ModelProto(serializedBytes: bytes)
        } catch {
            throw .notAModel(reason: Self.describe(error))
        }
        self = try ProtoReader(baseDirectory: baseDirectory).model(proto)
    }

    /// The model as protobuf bytes with every tensor inline.
    public func serializedBytes() throws(ONNXModelError) -> Data {
        try Self.serialize(ProtoWriter(externalData: nil).model(self))
    }

    /// Writes the model, and its external data files if any, atomically: each file is written under
    /// a temporary name and renamed into place only when everything has been written.
    /// - Throws: ``ModelFileError`` naming the file and the cause; nothing is left behind.
    public func write(to url: URL, options: SaveOptions = SaveOptions()) throws(ModelFileError) {
        let directory = url.deletingLastPathComponent()
        let external = options.externalData == .inline ? nil : ExternalDataWriter(directory: directory, policy: options.externalData)
        do throws(ONNXModelError) {
            let bytes = try Self.serialize(ProtoWriter(externalData: external).model(self))
            let staged: StagedFile
            do {
                staged = try StagedFile(destination: url)
                try staged.append(bytes)
            } catch { throw ONNXModelError.unwritable(reason: error.reason) }
            try external?.commit()
            do { try staged.commit() } catch { throw ONNXModelError.unwritable(reason: error.reason) }
        } catch {
            external?.discard()
            throw ModelFileError(path: url.path, error: error)
        }
    }

    private static func serialize(_ proto: Onnx_ModelProto) throws(ONNXModelError) -> Data {
        let bytes: Data
        do { bytes = try proto.serializedBytes() } catch { throw .unwritable(reason: "\(error)") }
        guard bytes.count <= Int(Int32.max) else {
            throw .unwritable(reason: "the model exceeds protobuf's 2 GiB limit; save its tensors as external data")
        }
        return bytes
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case BinaryDecodingError.truncated: return "the protobuf data is truncated (is the file complete?)"
        case BinaryDecodingError.malformedProtobuf: return "the bytes are not a valid protobuf message"
        case BinaryDecodingError.invalidUTF8: return "a string field is not valid UTF-8"
        case BinaryDecodingError.messageDepthLimit: return "messages are nested too deeply"
        default: return "protobuf decoding failed (\(error))"
        }
    }
}

/// Formats that are sometimes given where a model is expected, recognised by their magic bytes so
/// the error can say what the file really is.
enum KnownFormat {
    static func sniff(_ bytes: Data) -> String? {
        let signatures: [(prefix: [UInt8], name: String)] = [
            ([0x89, 0x50, 0x4E, 0x47], "a PNG image"),
            ([0xFF, 0xD8, 0xFF], "a JPEG image"),
            ([0x49, 0x49, 0x2A, 0x00], "a TIFF image"),
            ([0x4D, 0x4D, 0x00, 0x2A], "a TIFF image"),
            ([0x50, 0x4B, 0x03, 0x04], "a ZIP archive"),
            ([0x1F, 0x8B], "a gzip archive"),
            ([0x7F, 0x45, 0x4C, 0x46], "an ELF binary"),
            (Array("7767517".utf8), "an ncnn .param file (convert it with `tessera import`)"),
        ]
        return signatures.first { bytes.starts(with: $0.prefix) }?.name
    }
}
