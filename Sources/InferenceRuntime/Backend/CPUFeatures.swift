import Foundation

/// The instruction-set extensions of the CPU that decide how fast, and how exactly, 8-bit
/// integer arithmetic runs: read from the `flags` line of `/proc/cpuinfo`.
///
/// On x86-64 without VNNI, int8 products go through `vpmaddubsw`, which multiplies unsigned by
/// signed bytes and adds pairs into int16: with U8 activations and S8 weights a pair can exceed
/// int16 and saturate. VNNI (`vpdpbusd`) accumulates in int32 and cannot.
public struct CPUFeatures: Sendable, Hashable {
    /// Every flag the kernel lists, as written there (`avx2`, `avx512_vnni`, …).
    public var flags: Set<String>

    public init(flags: Set<String>) {
        self.flags = flags
    }

    /// Reads the first processor's flags below `procRoot` (`/proc`; tests point it elsewhere).
    /// Empty where there is no `cpuinfo` (not Linux) or no `flags` line (not x86).
    public static func read(procRoot: String = "/proc") -> CPUFeatures {
        let cpuinfo = (try? String(contentsOfFile: procRoot + "/cpuinfo", encoding: .utf8)) ?? ""
        let line = CPUInfo.field("flags", in: cpuinfo) ?? ""
        return CPUFeatures(flags: Set(line.split(separator: " ").map(String.init)))
    }

    /// AVX2, the widest integer SIMD every x86-64 library here uses.
    public var hasAVX2: Bool { flags.contains("avx2") }

    /// An int8 dot-product instruction that accumulates in int32: AVX512-VNNI or AVX-VNNI.
    public var hasVNNI: Bool { flags.contains("avx512_vnni") || flags.contains("avx_vnni") }

    /// Whether U8 activations times S8 weights may saturate intermediate int16 sums: an x86-64 CPU
    /// with AVX2 and no VNNI.
    public var saturatesU8S8: Bool { hasAVX2 && !hasVNNI }
}
