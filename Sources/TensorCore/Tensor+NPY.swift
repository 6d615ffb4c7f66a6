public import Foundation

/// NumPy's `.npy` format (version 1 and 2 headers, little-endian, C order), so tensors can be
/// exchanged with Python scripts and `tessera run`.
extension Tensor {
    /// Why an `.npy` payload could not be read.
    public struct NPYError: Error, Sendable, CustomStringConvertible {
        public var reason: String
        public var description: String { "not a usable .npy file: \(reason)" }
    }

    private static let npyTypes: [(descr: String, type: DataType)] = [
        ("<f4", .float32), ("<f8", .float64), ("<f2", .float16), ("|i1", .int8), ("|u1", .uint8), ("<i2", .int16),
        ("<u2", .uint16), ("<i4", .int32), ("<u4", .uint32), ("<i8", .int64), ("<u8", .uint64), ("|b1", .bool),
    ]

    /// Decodes an `.npy` file's bytes; NumPy's fixed-width unicode (`<U8`) becomes a string tensor.
    public init(npy data: Data) throws(NPYError) {
        let bytes = [UInt8](data.prefix(12))
        guard bytes.count >= 10, bytes[0] == 0x93, Array(bytes[1..<6]) == Array("NUMPY".utf8) else {
            throw NPYError(reason: "missing the \\x93NUMPY magic")
        }
        let major = bytes[6]
        let headerLength: Int
        let headerStart: Int
        if major == 1 {
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            headerStart = 10
        } else if major == 2 || major == 3, bytes.count >= 12 {
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
            headerStart = 12
        } else {
            throw NPYError(reason: "unsupported version \(major)")
        }
        guard data.count >= headerStart + headerLength else { throw NPYError(reason: "truncated header") }
        let start = data.startIndex + headerStart
        let header = String(decoding: data[start..<start + headerLength], as: UTF8.self)

        guard let descr = Self.value(of: "descr", in: header)?.trimmingCharacters(in: CharacterSet(charactersIn: "'\" ")),
            let type = Self.unicodeWidth(forDescr: descr) != nil ? .string : Self.dataType(forDescr: descr)
        else { throw NPYError(reason: "unsupported dtype in header \(header)") }
        guard Self.value(of: "fortran_order", in: header)?.contains("False") == true else {
            throw NPYError(reason: "Fortran-ordered arrays are not supported; save with np.ascontiguousarray")
        }
        guard let shapeText = header.range(of: "(").flatMap({ open in header.range(of: ")", range: open.upperBound..<header.endIndex).map { header[open.upperBound..<$0.lowerBound] } })
        else { throw NPYError(reason: "no shape in header") }
        let shape = try shapeText.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            .map { (text: String) throws(NPYError) -> Int in
                guard let value = Int(text), value >= 0 else { throw NPYError(reason: "bad dimension '\(text)'") }
                return value
            }
        let payload = data.suffix(from: start + headerLength)
        do {
            if let width = Self.unicodeWidth(forDescr: descr) {
                try self.init(shape: shape, strings: try Self.unicodeStrings(Data(payload), shape: shape, width: width))
            } else {
                try self.init(dataType: type, shape: shape, bytes: Data(payload))
            }
        } catch let error as NPYError {
            throw error
        } catch {
            throw NPYError(reason: "\(error)")
        }
    }

    /// The character count of a little-endian unicode dtype (`<U8`, `=U8`, `U8`).
    private static func unicodeWidth(forDescr descr: String) -> Int? {
        let code = descr.first.map { "<=|".contains($0) } == true ? descr.dropFirst() : Substring(descr)
        guard code.first == "U", let width = Int(code.dropFirst()), width > 0 else { return nil }
        return width
    }

    /// Each element's `width` UTF-32 code units, zero-padded, as UTF-8.
    private static func unicodeStrings(_ payload: Data, shape: [Int], width: Int) throws(NPYError) -> [Data] {
        var count = 1
        for dim in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: dim)
            guard !overflow else { throw NPYError(reason: "shape \(shape) is too large") }
            count = product
        }
        let (unit, unitOverflow) = width.multipliedReportingOverflow(by: 4)
        let (bytes, overflow) = count.multipliedReportingOverflow(by: unit)
        guard !unitOverflow, !overflow, payload.count == bytes else {
            throw NPYError(reason: "payload has \(payload.count) bytes, \(shape) strings of \(width) characters need \(bytes)")
        }
        let units = [UInt8](payload)
        return try (0..<count).map { (index: Int) throws(NPYError) -> Data in
            var text = String.UnicodeScalarView()
            for offset in stride(from: index * unit, to: (index + 1) * unit, by: 4) {
                let value = UInt32(units[offset]) | UInt32(units[offset + 1]) << 8 | UInt32(units[offset + 2]) << 16
                    | UInt32(units[offset + 3]) << 24
                if value == 0 { break }  // NumPy pads shorter strings with zeros
                guard let scalar = Unicode.Scalar(value) else { throw NPYError(reason: "code point \(value) is not a character") }
                text.append(scalar)
            }
            return Data(String(text).utf8)
        }
    }

    /// Encodes the tensor as a version 1 `.npy` file; strings as NumPy's fixed-width unicode
    /// (`<U` + the longest string's length, UTF-32 padded with zeros).
    /// - Throws: ``TensorError/typeMismatch(expected:actual:)`` for types NumPy has no dtype for
    ///   (bfloat16, …) and strings that are not UTF-8.
    public func npyData() throws(TensorError) -> Data {
        let descr: String
        let payload: Data
        if let strings {
            let scalars = strings.map { String(data: $0, encoding: .utf8).map { Array($0.unicodeScalars) } }
            guard !scalars.contains(where: { $0 == nil }) else { throw .typeMismatch(expected: .string, actual: dataType) }
            let width = max(1, scalars.map { $0?.count ?? 0 }.max() ?? 0)
            var bytes = Data(capacity: strings.count * width * 4)
            for string in scalars {
                let padded = (string ?? []).map(\.value) + Array(repeating: 0, count: width - (string?.count ?? 0))
                for value in padded { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
            }
            (descr, payload) = ("<U\(width)", bytes)
        } else {
            guard let known = Self.npyTypes.first(where: { $0.type == dataType })?.descr, let raw = rawBytes else {
                throw .typeMismatch(expected: .float32, actual: dataType)
            }
            (descr, payload) = (known, raw)
        }
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shapeText), }"
        // Pad so the payload starts on a 64-byte boundary, as NumPy does; the header ends with a newline.
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        let length = UInt16(header.utf8.count)
        data.append(contentsOf: [UInt8(length & 0xFF), UInt8(length >> 8)])
        data.append(contentsOf: Array(header.utf8))
        data.append(payload)
        return data
    }

    /// `<f4`, `=f4` and `f4` are the same little-endian dtype here; `>` (big-endian) is refused.
    private static func dataType(forDescr descr: String) -> DataType? {
        guard let first = descr.first, first != ">" else { return nil }
        let code = "<=|".contains(first) ? descr.dropFirst() : Substring(descr)
        return npyTypes.first { $0.descr.dropFirst() == code }?.type
    }

    private static func value(of key: String, in header: String) -> String? {
        guard let keyRange = header.range(of: "'\(key)':") ?? header.range(of: "\"\(key)\":") else { return nil }
        let rest = header[keyRange.upperBound...]
        let end = rest.firstIndex(of: ",") ?? rest.endIndex
        return String(rest[..<end])
    }
}
