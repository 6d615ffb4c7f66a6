import TensorCore
import Testing

@Suite("Symbolic dimensions")
struct DimTests {
    let h = Dim.symbol("H")
    let w = Dim.symbol("W")

    @Test("Equal polynomials compare equal and print canonically")
    func canonicalForm() throws {
        let a = try h.multiplied(by: 2).adding(h)
        #expect(a == (try h.multiplied(by: 3)))
        #expect(a.description == "3*H")
        let area = try h.multiplied(by: w).multiplied(by: 4).adding(.value(2))
        #expect(area.description == "4*H*W + 2")
        #expect((try area.subtracting(.value(2)).exactlyDivided(by: w)) == (try h.multiplied(by: 4)))
    }

    @Test("Convolution arithmetic: stride 2 without padding")
    func floorDivision() throws {
        let out = try h.subtracting(.value(3)).floorDivided(by: 2).adding(.value(1))
        #expect(out.description == "floor((H - 3)/2) + 1")
        #expect(try out.substituting(["H": 256]) == .value(127))
        #expect(try h.multiplied(by: 4).floorDivided(by: 2) == (try h.multiplied(by: 2)))
        #expect(Dim.value(-7).floorDivided(by: 2) == .value(-4))
    }

    @Test("Unknown absorbs, and overflow throws instead of trapping")
    func unknownAndOverflow() throws {
        #expect(try h.adding(.unknown).isUnknown)
        #expect(h.exactlyDivided(by: w).isUnknown)
        #expect(throws: Dim.OverflowError.self) { try Dim.value(Int.max).adding(.value(1)) }
        #expect(throws: Dim.OverflowError.self) { try Dim.value(1 << 62).multiplied(by: 4) }
    }
}
