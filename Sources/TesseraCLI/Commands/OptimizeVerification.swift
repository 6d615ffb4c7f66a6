import Foundation
import ModelTools
import ONNXModel
import Tessera

/// `--verify` for the commands that rewrite a model (optimize, quantize): the written model run
/// against the input model with the same inputs, measured and rendered as `tessera verify` does.
enum ModelChangeVerification {
    /// One round per input entry (`random[:SEED]`, an image, a .npy file), on each library of
    /// `targets` (empty: the first library found).
    static func run(
        input: URL, output: URL, interface: [ValueInfo], targets: [String], inputs: [String], shapes: [String: [Dim]],
        tolerance: Tolerance, threads: Int?
    ) async throws -> ModelChangeReport.Verification {
        let verifier = Verifier(
            backends: BackendCatalog.discover().backends, options: SessionOptions(threads: threads, cacheDirectory: Cache.directory))
        var rounds: [ModelChangeReport.Verification.Round] = []
        for entry in inputs {
            let feeds = try VerifyInputs.feeds(for: entry, interface: interface, shapes: shapes)
            let result = try await verifier.verify(models: [input, output], targets: targets, inputs: feeds, tolerance: tolerance)
            // Only the written model against the input model: library-against-library rows belong to `tessera verify`.
            let comparisons = result.comparisons.filter { $0.candidate.hasPrefix(output.lastPathComponent + "@") }
            rounds.append(.init(input: entry, shapes: feeds.mapValues(\.shape), comparisons: comparisons))
        }
        return ModelChangeReport.Verification(tolerance: tolerance, rounds: rounds)
    }

    /// The figures as `tessera verify` prints them.
    static func text(_ verification: ModelChangeReport.Verification) -> String {
        VerifyReport(verification).text
    }
}

extension VerifyReport {
    /// The verify report of a model-change verification (no PSNR floor, no pictures).
    init(_ verification: ModelChangeReport.Verification) {
        self.init(tolerance: verification.tolerance, minPSNR: nil, rounds: verification.rounds.map(Round.init))
    }
}

extension VerifyReport.Round {
    init(_ round: ModelChangeReport.Verification.Round) {
        input = round.input
        shapes = round.shapes
        comparisons = round.comparisons.map {
            Comparison(reference: $0.reference, candidate: $0.candidate, passed: $0.passed, outputs: $0.outputs)
        }
    }
}
