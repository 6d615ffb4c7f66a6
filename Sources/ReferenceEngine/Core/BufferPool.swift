/// Float buffers released by the plan's liveness analysis, handed out again to later nodes of
/// the same run, so a run touches freshly mapped memory only for its peak working set.
final class BufferPool {
    /// Buffers smaller than this are cheap to allocate and not worth keeping.
    static let minimumCount = 4096
    private var free: [[Float]] = []

    /// Takes back a value's storage once nothing reads it any more.
    func recycle(_ value: NDArray) {
        guard case .float(let buffer) = value.storage, buffer.capacity >= Self.minimumCount else { return }
        free.append(buffer)
    }

    /// A buffer of exactly `count` elements, reused when a free one is large enough.
    func floats(_ count: Int) -> [Float] {
        guard count >= Self.minimumCount else { return [Float](repeating: 0, count: count) }
        var best: Int?
        for (index, buffer) in free.enumerated() where buffer.capacity >= count {
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
