import Synchronization
import Testing
import TesseraTestSupport
import TilePipeline

/// A 4000×4000 image upscaled 4× (a 16000×16000 output, 3 GB as float) streams through the
/// stitcher, which holds only about two tile rows of output at a time.
@Suite("Streaming memory bound")
struct StreamingMemoryTests {
    @Test("A 16000×16000 output passes through with at most two tile rows buffered")
    func bigImageStreams() async throws {
        let source = PatternImage(width: 4000, height: 4000)
        let plan = try TilePlan(imageWidth: 4000, imageHeight: 4000, tileWidth: 250, margin: 0, scale: 4)
        let worker = TileWorker(processor: try await TileFixtures.processor(.nearestX4, threads: 2))
        let sink = CheckingSink(source: source, width: plan.outputWidth)
        let report = try await TileScheduler(workers: [worker]).run(source: source, plan: plan, into: sink)

        #expect(sink.rows == 16000)
        #expect(sink.mismatches == 0, "sampled output pixels must equal the nearest input pixel")
        let rowBytes = plan.outputWidth * 3 * MemoryLayout<Float>.size
        let tileRowOutput = 250 * plan.scale
        print("peak buffered: \(report.peakBufferedRows) rows, \(report.peakBufferedBytes / 1_000_000) MB of \(16000 * rowBytes / 1_000_000) MB")
        #expect(report.peakBufferedRows >= tileRowOutput, "a whole tile row is buffered before it can be written")
        #expect(report.peakBufferedRows <= 2 * tileRowOutput + 16, "at most two tile rows and one partial block")
        #expect(report.peakBufferedBytes <= (2 * tileRowOutput + 16) * rowBytes)
    }
}

/// A synthetic image computed on demand, so the test holds no 4000×4000 input either.
private struct PatternImage: TileSource {
    let width: Int
    let height: Int
    let channels = 3

    func value(channel: Int, y: Int, x: Int) -> Float {
        Float((x &* 7 &+ y &* 13 &+ channel &* 101) % 251) / 250
    }

    func planes(x: Int, y: Int, width: Int, height: Int) -> [Float] {
        var values = [Float](repeating: 0, count: channels * width * height)
        values.withUnsafeMutableBufferPointer { buffer in
            guard let out = buffer.baseAddress else { return }
            var index = 0
            for channel in 0..<channels {
                for row in 0..<height {
                    let sourceY = min(max(y + row, 0), self.height - 1)
                    for column in 0..<width {
                        out[index] = value(channel: channel, y: sourceY, x: min(max(x + column, 0), self.width - 1))
                        index += 1
                    }
                }
            }
        }
        return values
    }
}

/// Counts rows and checks a sparse sample of pixels against nearest-neighbour upscaling of the source.
private final class CheckingSink: BandSink {
    let source: PatternImage
    let width: Int
    private(set) var rows = 0
    private(set) var mismatches = 0

    init(source: PatternImage, width: Int) {
        self.source = source
        self.width = width
    }

    func write(rows band: [Float], rowCount: Int) throws {
        for row in stride(from: 0, to: rowCount, by: 7) {
            let y = rows + row
            for x in stride(from: y % 13, to: width, by: 997) {
                for channel in 0..<3 where band[(row * width + x) * 3 + channel] != source.value(channel: channel, y: y / 4, x: x / 4) {
                    mismatches += 1
                }
            }
        }
        rows += rowCount
    }
}
