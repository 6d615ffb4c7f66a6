import Foundation
import TensorCore
import Testing
import TesseraTestSupport

@Suite("NumPy .npy files")
struct NPYTests {
    @Test("Tensors written by Tessera read back in NumPy, and NumPy's files read back here")
    func numpyRoundTrip() throws {
        let directory = try Fixtures.temporaryDirectory("npy")
        defer { try? FileManager.default.removeItem(at: directory) }
        let ours = directory.appendingPathComponent("ours.npy")
        try Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6] as [Float]).npyData().write(to: ours)
        let theirs = directory.appendingPathComponent("theirs.npy")
        let script = """
            import numpy as np, sys
            a = np.load(sys.argv[1]); assert a.dtype == np.float32 and a.shape == (2, 3), (a.dtype, a.shape)
            assert (a == np.arange(1, 7, dtype=np.float32).reshape(2, 3)).all()
            np.save(sys.argv[2], np.arange(24, dtype=np.int64).reshape(2, 3, 4))
            """
        let result = try runProcess(try Fixtures.python(), ["-c", script, ours.path, theirs.path])
        #expect(result.status == 0, "\(result.stderr)")
        let loaded = try Tensor(npy: Data(contentsOf: theirs))
        #expect(loaded.shape == [2, 3, 4])
        #expect(try loaded.scalars(as: Int64.self) == Array(0..<24))
    }

    @Test("String tensors as NumPy's fixed-width unicode (<U), both ways")
    func unicodeStrings() throws {
        let directory = try Fixtures.temporaryDirectory("npy-unicode")
        defer { try? FileManager.default.removeItem(at: directory) }
        let ours = directory.appendingPathComponent("ours.npy")
        let words = ["owl", "", "Eule 🦉", "é"]
        try Tensor(shape: [2, 2], strings: words.map { Data($0.utf8) }).npyData().write(to: ours)
        let theirs = directory.appendingPathComponent("theirs.npy")
        let script = """
            import numpy as np, sys
            a = np.load(sys.argv[1]); assert a.dtype == np.dtype("<U6") and a.shape == (2, 2), (a.dtype, a.shape)
            assert a.tolist() == [["owl", ""], ["Eule 🦉", "é"]], a.tolist()
            np.save(sys.argv[2], np.array(["naïve", "ok", "∑"]))
            """
        let result = try runProcess(try Fixtures.python(), ["-c", script, ours.path, theirs.path])
        #expect(result.status == 0, "\(result.stderr)")
        let loaded = try Tensor(npy: Data(contentsOf: theirs))
        #expect(loaded.shape == [3])
        #expect(loaded.strings == ["naïve", "ok", "∑"].map { Data($0.utf8) })
    }

    @Test("Bad files are refused with a reason")
    func badFiles() {
        #expect(throws: Tensor.NPYError.self) { try Tensor(npy: Data("hello".utf8)) }
        #expect(throws: Tensor.NPYError.self) { try Tensor(npy: Data([0x93] + Array("NUMPY".utf8) + [1, 0, 200, 0])) }
        // A unicode width whose byte count overflows, and a payload one character short.
        for (descr, payload) in [("<U\(Int.max)", Data()), ("<U2", Data(count: 4))] {
            let header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': (1,), }\n"
            let file = Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count), 0] + Array(header.utf8)) + payload
            #expect(throws: Tensor.NPYError.self) { try Tensor(npy: file) }
        }
    }
}

@Suite("Tensor comparison")
struct ComparisonTests {
    @Test("Tolerances, NaN and shapes")
    func compare() throws {
        let a = try Tensor(shape: [3], scalars: [1, .nan, 100] as [Float])
        let b = try Tensor(shape: [3], scalars: [1.00001, .nan, 100.05] as [Float])
        #expect(a.compare(to: b, tolerance: .onnxConformance).passed)
        #expect(!a.compare(to: b, tolerance: .exact).passed)
        let c = try Tensor(shape: [1, 3], scalars: [1, 2, 3] as [Float])
        #expect(a.compare(to: c, tolerance: .onnxConformance).failure?.contains("shape") == true)
    }

    @Test("Numbers written as strings compare as numbers, other strings exactly")
    func strings() throws {
        func text(_ values: [String]) throws -> Tensor { try Tensor(shape: [values.count], strings: values.map { Data($0.utf8) }) }
        // float32 0.6048455 printed with 7 and with 8 significant digits (onnx's data, ONNX Runtime).
        #expect(try text(["0.60484552", "NaN"]).compare(to: try text(["0.6048455", "nan"]), tolerance: .onnxConformance).passed)
        #expect(try !text(["0.61"]).compare(to: try text(["0.6048455"]), tolerance: .onnxConformance).passed)
        #expect(try text(["a", "b"]).compare(to: try text(["a", "c"]), tolerance: .onnxConformance).failure == "strings differ")
    }
}
