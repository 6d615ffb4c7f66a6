/// The float buffers a run's values give back, handed out again to kernels that ask for one.
///
/// Many kernels allocate their outputs themselves, yet every released value comes back here, so
/// the free list is bounded: beyond ``capacity`` buffers the one given back longest ago is freed.
/// Without the bound, a deep graph kept every activation it ever computed (8 GB for Real-ESRGAN
/// x4plus on a 192² tile).
final class BufferPool {
    /// Buffers smaller than this are cheap to allocate and not worth keeping.
    static let minimumCount = 4096
    /// Free buffers kept at most: more than the few values one step releases, few enough that
    /// the pool adds at most a handful of activations to the run's live ones.
    static let capacity = 8
    /// Oldest first.
    private var free: [[Float]] = []

    /// Takes back a value's storage once nothing reads it any more.
    func recycle(_ value: NDArray) {
        guard case .float(let buffer) = value.storage, buffer.capacity >= Self.minimumCount else { return }
        free.append(buffer)
        if free.count > Self.capacity { free.removeFirst() }
    }

    /// A buffer of exactly `count` elements, reused when a free one is large enough but no more
    /// than twice as large, so a small value never pins a large allocation.
    func floats(_ count: Int) -> [Float] {
        guard count >= Self.minimumCount else { return [Float](repeating: 0, count: count) }
        var best: Int?
        for (index, buffer) in free.enumerated() where buffer.capacity >= count && buffer.capacity / 2 <= count {
            if best.map({ free[$0].capacity > buffer.capacity }) ?? true { best = index }
        }
        guard let best else { return [Float](repeating: 0, count: count) }
        var buffer = free.remove(at: best)
        if buffer.count > count {
            buffer.removeLast(buffer.count - count)
        } else if buffer.count < count {
            buffer.append(contentsOf: repeatElement(0, count: count - buffer.count))
        }
        return buffer
    }
}
