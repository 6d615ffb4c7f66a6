import ArgumentParser

/// `tessera bench`: measurements that BENCHMARKS.md records.
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure Tessera's speed and memory.",
        discussion: "Figures are meant to be compared side by side within one run; see BENCHMARKS.md.",
        subcommands: [BenchSession.self, BenchLoad.self, BenchUpscale.self],
        defaultSubcommand: BenchSession.self
    )
}
