import Foundation
import ModelTools
import Testing
import TesseraTestSupport

/// verify's figures against numpy and scikit-image computing them from the same arrays.
@Suite("verify's error figures equal numpy's and scikit-image's")
struct VerifyMetricsTests {
    private struct Oracle: Decodable {
        var maxAbs: Double
        var meanAbs: Double
        var maxRel: Double
        var psnr: Double
        var ssim: Double?
    }

    private static func tensor(_ shape: [Int], seed: UInt64, noise: Float, base: [Float]? = nil) throws -> Tensor {
        var generator = SeededGenerator(seed: seed)
        let count = shape.reduce(1, *)
        let values = (0..<count).map { index in
            (base?[index] ?? 0) + Float.random(in: (base == nil ? 0 : -noise)..<(base == nil ? 1 : noise), using: &generator)
        }
        return try Tensor(shape: shape, scalars: values)
    }

    @Test(
        "max/mean absolute, max relative, PSNR and SSIM",
        arguments: [([1, 3, 40, 48], Float(0.01)), ([1, 1, 23, 17], Float(0.2)), ([2, 3, 9, 11], Float(0.001)), ([5, 7], Float(0.05))])
    func figures(_ shape: [Int], _ noise: Float) throws {
        let reference = try Self.tensor(shape, seed: 1, noise: noise)
        let candidate = try Self.tensor(shape, seed: 2, noise: noise, base: try reference.scalars(as: Float.self))
        let folder = try Fixtures.temporaryDirectory("metrics")
        defer { try? FileManager.default.removeItem(at: folder) }
        let a = folder.appendingPathComponent("a.npy")
        let b = folder.appendingPathComponent("b.npy")
        try reference.npyData().write(to: a)
        try candidate.npyData().write(to: b)

        let ours = try OutputDifference(name: "y", reference: reference, candidate: candidate, tolerance: .exact, peak: 1)
        let json = try runPython("Tests/Oracles/image_metrics.py", [a.path, b.path, "1"])
        let oracle = try JSONDecoder().decode(Oracle.self, from: Data(json.utf8))
        #expect(abs(ours.maxAbsoluteError - oracle.maxAbs) <= 1e-12)
        #expect(abs(ours.meanAbsoluteError - oracle.meanAbs) <= 1e-12)
        #expect(abs(ours.maxRelativeError - oracle.maxRel) <= 1e-9 * oracle.maxRel)
        #expect(abs(ours.psnr - oracle.psnr) <= 1e-9)
        #expect(ours.elementsOutside == shape.reduce(1, *))
        if let expected = oracle.ssim {
            let ssim = try #require(ours.ssim)
            #expect(abs(ssim - expected) <= 1e-6, "SSIM \(ssim), scikit-image \(expected)")
        } else {
            #expect(ours.ssim == nil)
        }
    }

    @Test("identical outputs: zero error, infinite PSNR, SSIM 1, within any tolerance")
    func identical() throws {
        let tensor = try Self.tensor([1, 3, 16, 16], seed: 5, noise: 0)
        let same = try OutputDifference(name: "y", reference: tensor, candidate: tensor, tolerance: .exact)
        #expect(same.maxAbsoluteError == 0 && same.passed)
        #expect(same.psnr == .infinity)
        #expect(abs((same.ssim ?? 0) - 1) < 1e-12)
    }

    @Test("different shapes are an error, not a figure")
    func shapes() throws {
        let a = try Self.tensor([1, 3, 8, 8], seed: 1, noise: 0)
        let b = try Self.tensor([1, 3, 8, 9], seed: 1, noise: 0)
        #expect(throws: VerifyError.self) { try OutputDifference(name: "y", reference: a, candidate: b, tolerance: .exact) }
    }
}
