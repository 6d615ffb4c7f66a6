import Dispatch

/// What a kernel may use while it runs: the thread budget and the run's buffer pool.
///
/// One context belongs to one run on one thread; kernels split their own work across
/// ``threads`` with ``parallelFor(_:minimumChunk:_:)``.
final class ExecutionContext {
    /// Intra-op threads (`SessionOptions.threads`, or one per core).
    let threads: Int
    let pool: BufferPool

    init(threads: Int, pool: BufferPool = BufferPool()) {
        self.threads = max(1, threads)
        self.pool = pool
    }

    /// A float buffer of `count` elements whose contents are unspecified: the caller writes every element.
    func floats(_ count: Int) -> [Float] { pool.floats(count) }

    /// Runs `body` over `0..<count` split into contiguous chunks, one or more per thread, and
    /// returns when every chunk is done. Small jobs run inline.
    func parallelFor(_ count: Int, minimumChunk: Int = 1, _ body: (Range<Int>) -> Void) {
        let chunks = min(threads * 4, max(1, count / max(1, minimumChunk)))
        if threads == 1 || chunks <= 1 {
            if count > 0 { body(0..<count) }
            return
        }
        let size = (count + chunks - 1) / chunks
        // The chunks write disjoint parts of buffers the caller owns and outlives the loop,
        // which the compiler cannot see; the box vouches for it.
        withoutActuallyEscaping(body) { escaping in
            let work = UncheckedWork(body: escaping)
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                let start = chunk * size
                let end = min(count, start + size)
                if start < end { work.body(start..<end) }
            }
        }
    }
}

private struct UncheckedWork: @unchecked Sendable {
    let body: (Range<Int>) -> Void
}
