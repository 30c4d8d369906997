import Foundation

/// Element-wise loops over large parameter buffers split over the cores: the optimizers' updates.
/// Each piece runs the serial loop body on its own index range and writes only its own elements;
/// no value crosses pieces, so every output has the same bits whatever the split (Proofs/performance.md
/// §Parallel kernels). Small buffers (the synthetic problems) run serially on the calling thread.
public enum ParallelChunks {
    /// Buffers below this many elements are not split (a thread hand-off costs more).
    public static let minimum = 1 << 16

    /// Runs `body` on consecutive ranges covering 0..<n: one range when the work (`elements`, by
    /// default n) is below `minimum`, else one per core (at most n).
    @inlinable
    public static func run(_ n: Int, elements: Int? = nil, _ body: (Range<Int>) -> Void) {
        let parts = (elements ?? n) < minimum ? 1 : min(ProcessInfo.processInfo.activeProcessorCount, 64, n)
        guard parts > 1 else { body(0..<n); return }
        withoutActuallyEscaping(body) { body in
            nonisolated(unsafe) let body = body
            DispatchQueue.concurrentPerform(iterations: parts) { p in
                let lo = p * n / parts, hi = (p + 1) * n / parts
                if lo < hi { body(lo..<hi) }
            }
        }
    }
}
