import Foundation
import ModelTools
import Tessera
import Testing
import TesseraTestSupport

/// The U8S8 saturation warning follows the CPU's flags as `/proc/cpuinfo` lists them.
@Suite("U8S8 saturation warning")
struct QuantizeSaturationTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var flags: String
        var warns: Bool
        var testDescription: String { flags }
    }

    static let cases = [
        Case(flags: "fpu sse2 avx avx2 fma", warns: true),
        Case(flags: "fpu sse2 avx avx2 fma avx512f avx512_vnni", warns: false),
        Case(flags: "fpu sse2 avx avx2 fma avx_vnni", warns: false),
        Case(flags: "fpu sse2 avx", warns: false),
    ]

    @Test("U8S8 without --reduce-range warns only on AVX2 without VNNI", arguments: cases)
    func flags(_ item: Case) throws {
        let root = try Fixtures.temporaryDirectory("cpuinfo")
        defer { try? FileManager.default.removeItem(at: root) }
        let text = "processor\t: 0\nvendor_id\t: AuthenticAMD\nflags\t\t: \(item.flags)\n\nprocessor\t: 1\nflags\t\t: \(item.flags)\n"
        try Data(text.utf8).write(to: root.appendingPathComponent("cpuinfo"))
        let cpu = CPUFeatures.read(procRoot: root.path)
        let u8s8 = QuantizationOptions(activations: .u8, weights: .s8)
        #expect((u8s8.saturationWarning(on: cpu) != nil) == item.warns)
        var reduced = u8s8
        reduced.reduceRange = true
        #expect(reduced.saturationWarning(on: cpu) == nil)
        #expect(QuantizationOptions().saturationWarning(on: cpu) == nil, "S8S8")
        #expect(QuantizationOptions(activations: .u8, weights: .u8).saturationWarning(on: cpu) == nil, "U8U8")
    }

    @Test("7-bit weights are chosen for signed weights on AVX2 without VNNI (ORT runs S8 activations as U8 on x86)", arguments: cases)
    func automaticReducedRange(_ item: Case) throws {
        let root = try Fixtures.temporaryDirectory("cpuinfo-reduce")
        defer { try? FileManager.default.removeItem(at: root) }
        try Data("processor\t: 0\nflags\t\t: \(item.flags)\n".utf8).write(to: root.appendingPathComponent("cpuinfo"))
        let cpu = CPUFeatures.read(procRoot: root.path)
        #expect((QuantizationOptions().reducedRangeReason(on: cpu) != nil) == item.warns, "S8S8")
        #expect((QuantizationOptions(activations: .u8, weights: .s8).reducedRangeReason(on: cpu) != nil) == item.warns, "U8S8")
        #expect(QuantizationOptions(activations: .u8, weights: .u8).reducedRangeReason(on: cpu) == nil, "U8U8 cannot saturate")
        #expect(QuantizationOptions(reduceRange: true).reducedRangeReason(on: cpu) == nil, "already 7-bit")
    }
}
