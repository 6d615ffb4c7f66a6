import Tessera
import Testing
import TilePipeline

/// Mirror padding as numpy's "reflect" mode does it (the edge pixel is not repeated), which is how
/// Real-CUGAN's program pads for the border its network crops.
@Suite("Mirror padding for models that consume a border")
struct MirrorPadTests {
    @Test("rows and columns mirror about the edge pixel; wider borders fold back and forth")
    func reflects() throws {
        let row = try Tensor(shape: [1, 1, 1, 3], scalars: [Float(1), 2, 3])
        // numpy.pad([1, 2, 3], 2, mode="reflect") and numpy.pad([1, 2, 3], 4, mode="reflect").
        #expect(try MirrorPad.padded(row, border: 2).scalars(as: Float.self).suffix(7 * 2).prefix(7) == [3, 2, 1, 2, 3, 2, 1])
        #expect(try MirrorPad.padded(row, border: 4).scalars(as: Float.self).suffix(11 * 4).prefix(11) == [1, 2, 3, 2, 1, 2, 3, 2, 1, 2, 3])

        let planes = try Tensor(shape: [1, 2, 2, 2], scalars: [Float(1), 2, 3, 4, 5, 6, 7, 8])
        let padded = try MirrorPad.padded(planes, border: 1)
        #expect(padded.shape == [1, 2, 4, 4])
        // numpy.pad([[5, 6], [7, 8]], 1, mode="reflect").
        #expect(try padded.scalars(as: Float.self).suffix(16) == [8, 7, 8, 7, 6, 5, 6, 5, 8, 7, 8, 7, 6, 5, 6, 5])
    }
}
