import Foundation

// Splitting the encoder's element-wise and per-row kernels (GELU, LayerNorm, the attention of each
// sequence, the perturbation of a stage's tensors) over the BLAS thread count. Each piece computes
// exactly what the serial loop computes for its elements — no reduction crosses a piece — so the
// bits do not depend on the split (Proofs/performance.md §Parallel kernels); only the time does.

public enum Parallel {
    /// Pieces to split work into: the BLAS thread count (the cores the forward is told to use).
    public static var width: Int { max(1, BLASThreads.current) }

    /// Runs `body` on consecutive ranges covering 0..<n, each a multiple of `align` long (the last
    /// excepted), concurrently when n ≥ `minimum` and more than one thread is allowed.
    @inlinable
    public static func ranges(_ n: Int, minimum: Int = 1 << 15, align: Int = 64, _ body: (Range<Int>) -> Void) {
        let parts = min(width, max(1, n / max(align, 1)))
        guard parts > 1, n >= minimum else { body(0..<n); return }
        let step = (n / parts + align - 1) / align * align
        // The pieces write disjoint ranges; `body` is only ever called on them.
        withoutActuallyEscaping(body) { body in
            nonisolated(unsafe) let body = body
            DispatchQueue.concurrentPerform(iterations: parts) { p in
                let lo = min(n, p * step), hi = p == parts - 1 ? n : min(n, lo + step)
                if lo < hi { body(lo..<hi) }
            }
        }
    }
}
