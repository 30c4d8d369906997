import Foundation

/// The one fork-join mechanism of the hot paths: ranges of a loop, or independent items (tensors),
/// split over threads. Each piece runs the serial code on its own indices and writes only its own
/// outputs; no value crosses pieces, so every output has the same bits whatever the split
/// (Proofs/performance.md §Parallel kernels). Work below `minimum` elements runs serially on the
/// calling thread (the synthetic problems: a thread hand-off costs more than their loops).
/// ZOModel's `Parallel` uses it with the encoder's thread count.
public enum ParallelChunks {
    /// Work below this many elements is not split.
    public static let minimum = 1 << 16

    /// The cores the optimizers' loops are split over.
    public static var cores: Int { max(1, min(ProcessInfo.processInfo.activeProcessorCount, 64)) }

    /// Runs `body` on `parts` consecutive ranges covering 0..<n (fewer when n is small), each a
    /// multiple of `align` long, the last excepted; concurrently when there is more than one.
    @inlinable
    public static func run(_ n: Int, parts requested: Int, align: Int = 1, _ body: (Range<Int>) -> Void) {
        let parts = min(requested, max(1, n / max(align, 1)))
        guard parts > 1 else {
            body(0..<n)
            return
        }
        let step = (n / parts + align - 1) / align * align
        // The pieces write disjoint ranges; `body` is only ever called on them.
        withoutActuallyEscaping(body) { body in
            nonisolated(unsafe) let body = body
            DispatchQueue.concurrentPerform(iterations: parts) { p in
                let lo = min(n, p * step)
                let hi = p == parts - 1 ? n : min(n, lo + step)
                if lo < hi { body(lo..<hi) }
            }
        }
    }

    /// Runs `body` on ranges covering 0..<n: one range when the work (`elements`, by default n) is
    /// below `minimum`, else one per core.
    @inlinable
    public static func run(_ n: Int, elements: Int? = nil, _ body: (Range<Int>) -> Void) {
        run(n, parts: (elements ?? n) < minimum ? 1 : cores, body)
    }

    /// Runs `body(i)` for every i < count (independent items, e.g. tensors), concurrently when the
    /// total work `elements` reaches `minimum`, else in order on the calling thread.
    @inlinable
    public static func forEach(_ count: Int, elements: Int, _ body: (Int) -> Void) {
        guard elements >= minimum, count > 1 else {
            for i in 0..<count { body(i) }
            return
        }
        withoutActuallyEscaping(body) { body in
            nonisolated(unsafe) let body = body
            DispatchQueue.concurrentPerform(iterations: count) { body($0) }
        }
    }
}
