import Dispatch
import Synchronization
import Tessera
import Testing
import TesseraTestSupport
import TilePipeline

/// The scheduler against real libraries that fail on purpose (FaultInjectingBackend), checked
/// against whole-image output from onnxruntime in Python.
@Suite("Tile scheduler")
struct SchedulerTests {
    let image: PlanarImage
    let plan: TilePlan
    let model = TileModel.convX2

    init() throws {
        image = try TileFixtures.randomImage(width: 57, height: 43, seed: 41)
        plan = try TilePlan(imageWidth: 57, imageHeight: 43, tileWidth: 12, margin: 3, scale: 2)
    }

    private func expected() throws -> PlanarImage {
        try TileFixtures.oracle([.init(mode: "whole", models: [model], image: image)])[0]
    }

    @Test("A worker that fails mid-run is retired once; the other finishes its tiles and the output is exact")
    func failover() async throws {
        let faulty = FaultInjectingBackend(wrapping: try TileFixtures.backend(.openVINO), fault: .run(succeeding: 2))
        // The healthy worker waits for the failure, so the faulty one surely runs its two tiles first.
        let gate = Gate()
        let workers = [
            TileWorker(name: "openvino (faulty)", processor: try await TileFixtures.processor(model, on: faulty)),
            TileWorker(name: "onnxruntime", processor: GatedProcessor(base: try await TileFixtures.processor(model), gate: gate)),
        ]
        var failures: [String] = []
        let sink = PlanarImageSink(width: plan.outputWidth, height: plan.outputHeight, channels: 3)
        let report = try await TileScheduler(workers: workers).run(
            source: image, plan: plan, into: sink,
            onFailure: { failure in
                failures.append(failure.worker)
                gate.open()
            })
        #expect(failures == ["openvino (faulty)"])
        #expect(report.failures.map(\.worker) == ["openvino (faulty)"])
        #expect(report.tilesPerWorker == [2, plan.tiles.count - 2])
        #expect(sink.rowsReceived == plan.outputHeight)
        let difference = TileFixtures.maxDifference(try sink.image(), try expected())
        #expect(difference <= 1.0 / 255, "max |tiled − whole| = \(difference)")
    }

    @Test("When every worker fails the run throws both failures and the sink never gets its last rows")
    func everyWorkerFails() async throws {
        let backend = try TileFixtures.backend(.onnxRuntime)
        let workers = [
            TileWorker(name: "first", processor: try await TileFixtures.processor(
                model, on: FaultInjectingBackend(wrapping: backend, fault: .run(succeeding: 1)))),
            TileWorker(name: "second", processor: try await TileFixtures.processor(
                model, on: FaultInjectingBackend(wrapping: backend, fault: .run(succeeding: 2)))),
        ]
        let sink = PlanarImageSink(width: plan.outputWidth, height: plan.outputHeight, channels: 3)
        let error = await #expect(throws: TileSchedulerError.self) {
            try await TileScheduler(workers: workers).run(source: image, plan: plan, into: sink)
        }
        guard case .allWorkersFailed(let failures) = error else {
            Issue.record("expected allWorkersFailed, got \(String(describing: error))")
            return
        }
        #expect(Set(failures.map(\.worker)) == ["first", "second"])
        #expect(error?.description.contains("injected run failure") == true)
        #expect(sink.rowsReceived < plan.outputHeight)
    }

    @Test("Out-of-memory on big inputs: batches run singly, tiles split, and the output is still exact", arguments: [1, 3])
    func outOfMemory(batchSize: Int) async throws {
        let backend = try TileFixtures.backend(.onnxRuntime)
        // Windows are 18×18; more than 700 values per input (3 × 15 × 15) counts as out of memory.
        let faulty = FaultInjectingBackend(wrapping: backend, fault: .outOfMemory(aboveElements: 700))
        let worker = TileWorker(processor: try await TileFixtures.processor(model, on: faulty))
        let run = try await TileFixtures.upscale(image, plan: plan, workers: [worker], batchSize: batchSize)
        #expect(run.report.splits >= 1)
        #expect(run.report.failures.isEmpty)
        let difference = TileFixtures.maxDifference(run.image, try expected())
        #expect(difference <= 1.0 / 255, "max |tiled − whole| = \(difference)")
    }

    @Test("An out-of-memory error that no split can avoid retires the worker")
    func outOfMemoryEverywhere() async throws {
        let faulty = FaultInjectingBackend(
            wrapping: try TileFixtures.backend(.onnxRuntime), fault: .outOfMemory(aboveElements: 3))
        let worker = TileWorker(processor: try await TileFixtures.processor(model, on: faulty))
        let sink = PlanarImageSink(width: plan.outputWidth, height: plan.outputHeight, channels: 3)
        let error = await #expect(throws: TileSchedulerError.self) {
            try await TileScheduler(workers: [worker]).run(source: image, plan: plan, into: sink)
        }
        #expect(error?.description.contains("outOfMemory") == true)
    }

    @Test("Batches of 4 give the output of batches of 1")
    func batching() async throws {
        let recorder = BatchRecorder(base: try await TileFixtures.processor(model))
        let batched = try await TileFixtures.upscale(image, plan: plan, workers: [TileWorker(processor: recorder)], batchSize: 4)
        let single = try await TileFixtures.upscale(
            image, plan: plan, workers: [TileWorker(processor: try await TileFixtures.processor(model))], batchSize: 1)
        #expect(recorder.largestBatch == 4, "some call must have carried 4 tiles")
        #expect(TileFixtures.maxDifference(batched.image, single.image) <= 1e-5)
        #expect(TileFixtures.maxDifference(batched.image, try expected()) <= 1.0 / 255)
    }

    @Test("Cancelling stops the run, throws CancellationError and writes nothing more")
    func cancellation() async throws {
        let worker = TileWorker(processor: try await TileFixtures.processor(model))
        let sink = PlanarImageSink(width: plan.outputWidth, height: plan.outputHeight, channels: 3)
        let rowsAtCancel = Mutex<Int?>(nil)
        let scheduler = TileScheduler(workers: [worker], rowsAhead: 0)
        await #expect(throws: CancellationError.self) {
            try await scheduler.run(source: image, plan: plan, into: sink, progress: { progress in
                guard progress.tilesDone >= plan.columnCount + 1, rowsAtCancel.withLock({ $0 }) == nil else { return }
                rowsAtCancel.withLock { $0 = sink.rowsReceived }
                // Progress is reported on the task that runs the scheduler: this cancels the run itself.
                withUnsafeCurrentTask { $0?.cancel() }
            })
        }
        let rows = try #require(rowsAtCancel.withLock { $0 })
        #expect(rows > 0, "the first tile row was written before the cancellation")
        #expect(sink.rowsReceived == rows, "nothing was written after the cancellation")
        #expect(rows < plan.outputHeight)
    }

    @Test("Plans that do not fit the source or the workers are refused before anything runs")
    func validation() async throws {
        let worker = TileWorker(processor: try await TileFixtures.processor(model))
        let sink = PlanarImageSink(width: 1, height: 1, channels: 3)
        let wrongScale = try TilePlan(imageWidth: 57, imageHeight: 43, tileWidth: 12, margin: 3, scale: 4)
        await #expect(throws: TilingError.self) {
            try await TileScheduler(workers: [worker]).run(source: image, plan: wrongScale, into: sink)
        }
        let wrongSize = try TilePlan(imageWidth: 50, imageHeight: 43, tileWidth: 12, margin: 3, scale: 2)
        await #expect(throws: TilingError.self) {
            try await TileScheduler(workers: [worker]).run(source: image, plan: wrongSize, into: sink)
        }
        await #expect(throws: TileSchedulerError.self) {
            try await TileScheduler(workers: []).run(source: image, plan: plan, into: sink)
        }
        #expect(sink.rowsReceived == 0)
    }
}

/// Passes batches to a real processor and remembers the largest batch it saw.
private final class BatchRecorder: TileProcessor {
    let base: any TileProcessor
    private let largest = Mutex(0)

    init(base: any TileProcessor) { self.base = base }

    var scale: Int { base.scale }
    var margin: Int { base.margin }
    var label: String { base.label }
    var largestBatch: Int { largest.withLock { $0 } }

    func process(batch: Tensor) throws -> Tensor {
        largest.withLock { $0 = max($0, batch.shape.first ?? 0) }
        return try base.process(batch: batch)
    }
}

/// A real processor whose calls wait for a gate.
private struct GatedProcessor: TileProcessor {
    let base: any TileProcessor
    let gate: Gate

    var scale: Int { base.scale }
    var margin: Int { base.margin }
    var label: String { base.label }

    func process(batch: Tensor) throws -> Tensor {
        gate.pass()
        return try base.process(batch: batch)
    }
}
