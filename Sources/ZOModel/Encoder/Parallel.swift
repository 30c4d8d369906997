import Foundation
import ZOCore

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
        ParallelChunks.run(n, parts: n >= minimum ? width : 1, align: align, body)
    }
}
