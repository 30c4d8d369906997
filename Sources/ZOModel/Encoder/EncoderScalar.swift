import CNumerics
import Foundation
import Synchronization
import ZOCore

// The scalar types the encoder runs in, and the one place BLAS is called.
//
// Legend (row-major throughout): m, n, k are the gemm sizes: C (m×n) = α·op(A) (m×k) · op(B) (k×n) + β·C.
// "lda" is the row stride of A as stored (cols of the stored matrix), likewise ldb, ldc.

/// A scalar the encoder can run in: `Float` (the model) and `Double` (finite-difference checks).
///
/// The requirements route matrix products to `cblas_sgemm` / `cblas_dgemm` and the two
/// transcendental functions to libm, so that generic layer code stays one implementation.
public protocol EncoderScalar: ZOScalar {
    /// Row-major C ← α·op(A)·op(B) + β·C with op(X) = Xᵀ when `transX`; OpenBLAS, split by rows of
    /// C over the threads (`SplitGemm`). `prologue(rows)` runs on each piece's thread just before its
    /// product (e.g. filling those rows of C with the bias); `split: false` makes one call on the
    /// calling thread (inside a piece); `gemm` is this split, without a prologue.
    static func gemmRows(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Self,
        a: UnsafePointer<Self>, lda: Int, b: UnsafePointer<Self>, ldb: Int,
        beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int, split: Bool, prologue: ((Range<Int>) -> Void)?)
    /// eˣ (libm).
    static func exponential(_ x: Self) -> Self
    /// The error function erf(x) (libm; exact GELU needs it, not the tanh approximation).
    static func errorFunction(_ x: Self) -> Self
    /// out = GELU(inp), exact (erf) form: vectorised for Float (`FastMath.gelu`), the libm
    /// reference `GELU.forwardNaive` for Double.
    static func gelu(_ out: UnsafeMutablePointer<Self>, _ inp: UnsafePointer<Self>, count: Int)
    /// x[i] ← exp(x[i]) for i < count (−∞ ↦ 0): vectorised for Float (`FastMath.exp`), libm for Double.
    static func expInPlace(_ x: UnsafeMutablePointer<Self>, count: Int)
    /// dinp += dout · GELU'(inp): vectorised for Float (`FastMath.geluBackward`), the libm reference
    /// `GELU.backwardNaive` for Double.
    static func geluBackward(
        dinp: UnsafeMutablePointer<Self>, dout: UnsafePointer<Self>, _ inp: UnsafePointer<Self>, count: Int)
}

extension EncoderScalar {
    /// `gemmRows` without a prologue.
    @inlinable
    public static func gemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Self,
        a: UnsafePointer<Self>, lda: Int, b: UnsafePointer<Self>, ldb: Int,
        beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int
    ) {
        gemmRows(
            transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
            beta: beta, c: c, ldc: ldc, split: true, prologue: nil)
    }
}

extension Float: EncoderScalar {
    @inlinable
    public static func gemmRows(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, split: Bool, prologue: ((Range<Int>) -> Void)?
    ) {
        guard m > 0, n > 0 else { return }
        SplitGemm.rows(
            transA: transA, m: m, n: n, k: k, a: a, lda: lda, c: c, ldc: ldc, split: split, prologue: prologue
        ) { rows, a, c in
            cblas_sgemm(
                CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                blasint(rows), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
        }
    }
    @inlinable public static func exponential(_ x: Float) -> Float { exp(x) }
    @inlinable public static func errorFunction(_ x: Float) -> Float { erf(x) }
    @inlinable public static func gelu(_ out: UnsafeMutablePointer<Float>, _ inp: UnsafePointer<Float>, count: Int) {
        FastMath.gelu(out, inp, count: count)
    }
    @inlinable public static func expInPlace(_ x: UnsafeMutablePointer<Float>, count: Int) {
        FastMath.expInPlace(x, count: count)
    }
    @inlinable public static func geluBackward(
        dinp: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>,
        _ inp: UnsafePointer<Float>, count: Int
    ) {
        FastMath.geluBackward(dinp: dinp, dout: dout, inp, count: count)
    }
}

extension Double: EncoderScalar {
    @inlinable
    public static func gemmRows(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Double,
        a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
        beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int, split: Bool, prologue: ((Range<Int>) -> Void)?
    ) {
        guard m > 0, n > 0 else { return }
        SplitGemm.rows(
            transA: transA, m: m, n: n, k: k, a: a, lda: lda, c: c, ldc: ldc, split: split, prologue: prologue
        ) { rows, a, c in
            cblas_dgemm(
                CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                blasint(rows), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
        }
    }
    @inlinable public static func exponential(_ x: Double) -> Double { exp(x) }
    @inlinable public static func errorFunction(_ x: Double) -> Double { erf(x) }
    @inlinable public static func gelu(_ out: UnsafeMutablePointer<Double>, _ inp: UnsafePointer<Double>, count: Int) {
        GELU.forwardNaive(out, inp, count: count)
    }
    @inlinable public static func expInPlace(_ x: UnsafeMutablePointer<Double>, count: Int) {
        for i in 0..<count { x[i] = exp(x[i]) }
    }
    @inlinable public static func geluBackward(
        dinp: UnsafeMutablePointer<Double>, dout: UnsafePointer<Double>,
        _ inp: UnsafePointer<Double>, count: Int
    ) {
        GELU.backwardNaive(dinp: dinp, dout: dout, inp, count: count)
    }
}

/// The naive reference for `EncoderScalar.gemm`: the same contract, triple loop, Double sums.
/// Kept beside the BLAS path and compared with it in tests.
public enum NaiveGemm {
    @inlinable
    public static func gemm<T: EncoderScalar>(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: T,
        a: UnsafePointer<T>, lda: Int, b: UnsafePointer<T>, ldb: Int,
        beta: T, c: UnsafeMutablePointer<T>, ldc: Int
    ) {
        for i in 0..<m {
            for j in 0..<n {
                var s = 0.0
                for l in 0..<k {
                    let x = transA ? a[l * lda + i] : a[i * lda + l]
                    let y = transB ? b[j * ldb + l] : b[l * ldb + j]
                    s += Double(x) * Double(y)
                }
                // β = 0 must ignore C entirely (it may hold NaN), as BLAS does.
                let old = beta == 0 ? 0 : Double(beta) * Double(c[i * ldc + j])
                c[i * ldc + j] = T(Double(alpha) * s + old)
            }
        }
    }
}

/// The encoder's thread count. OpenBLAS itself runs single-threaded once this is first read or set:
/// the encoder splits its large gemms over its own threads (`SplitGemm`) and its other kernels with
/// `Parallel`, so no OpenBLAS worker spins (sched_yield) on a core while the element-wise kernels run
/// (Proofs/performance.md §Own gemm threads). Results are reproducible for a fixed count (the split
/// depends only on the shape and the count); they may differ in the last bits between counts.
public enum BLASThreads {
    /// 0 until first use; then the count (initially OpenBLAS's own: OPENBLAS_NUM_THREADS or the cores).
    @usableFromInline static let count = Atomic<Int>(0)

    /// Sets the number of threads (≥ 1).
    public static func set(_ count: Int) throws(ZOError) {
        guard count >= 1, count <= 1024 else {
            throw ZOError(
                "thread count \(count) is outside 1…1024", at: "BLASThreads.set",
                fix: "pass --threads between 1 and the number of cores")
        }
        _ = current
        self.count.store(count, ordering: .relaxed)
    }

    /// The number of threads the encoder uses.
    public static var current: Int {
        let n = count.load(ordering: .relaxed)
        if n > 0 { return n }
        let initial = max(1, Int(openblas_get_num_threads()))
        openblas_set_num_threads(1)
        _ = count.compareExchange(expected: 0, desired: initial, ordering: .relaxed)
        return count.load(ordering: .relaxed)
    }

    /// Runs `body` with OpenBLAS's own threading at `threads` (the sgemm reference rate), then back to 1.
    public static func withOpenBLASThreads<R>(_ threads: Int, _ body: () throws -> R) rethrows -> R {
        _ = current
        openblas_set_num_threads(Int32(max(1, threads)))
        defer { openblas_set_num_threads(1) }
        return try body()
    }

    /// `OPENBLAS_NUM_THREADS` from the environment, when set to a positive integer.
    public static var fromEnvironment: Int? {
        ProcessInfo.processInfo.environment["OPENBLAS_NUM_THREADS"].flatMap { Int($0) }.flatMap { $0 >= 1 ? $0 : nil }
    }
}

/// A gemm C = op(A)·op(B) + βC split by rows of C into `BLASThreads.current` pieces run concurrently,
/// each a single-threaded BLAS call on its rows (op(A)'s rows: A's rows, or its columns when
/// transposed). Pieces are multiples of 16 rows (the sgemm kernel's row block); small products
/// (m·n·k < 2²⁰ or m < 32) run as one call on the calling thread. The split is a function of
/// (m, thread count) only, so the bits are reproducible for a fixed count.
public enum SplitGemm {
    /// Products below this many multiply-adds are not split (fork-join costs more than it saves).
    public static let minimumWork = 1 << 20

    /// The row ranges of a split of m rows over `threads` pieces.
    public static func pieces(m: Int, n: Int, k: Int, threads: Int) -> [Range<Int>] {
        let parts = min(threads, m / 16)
        guard parts > 1, m * n * k >= minimumWork else { return [0..<m] }
        let step = (m / parts + 15) / 16 * 16
        return (0..<parts).map { p in min(m, p * step)..<(p == parts - 1 ? m : min(m, (p + 1) * step)) }.filter {
            !$0.isEmpty
        }
    }

    @inlinable
    static func rows<T>(
        transA: Bool, m: Int, n: Int, k: Int, a: UnsafePointer<T>, lda: Int,
        c: UnsafeMutablePointer<T>, ldc: Int, split: Bool, prologue: ((Range<Int>) -> Void)?,
        _ call: (Int, UnsafePointer<T>, UnsafeMutablePointer<T>) -> Void
    ) {
        let pieces = pieces(m: m, n: n, k: k, threads: split ? BLASThreads.current : 1)
        guard pieces.count > 1 else {
            prologue?(0..<m)
            call(m, a, c)
            return
        }
        // Pieces write disjoint rows of C (the prologue too); A and B are only read.
        withoutActuallyEscaping(call) { call in
            nonisolated(unsafe) let (call, a, c, prologue) = (call, a, c, prologue)
            DispatchQueue.concurrentPerform(iterations: pieces.count) { p in
                let r = pieces[p]
                prologue?(r)
                call(r.count, transA ? a + r.lowerBound : a + r.lowerBound * lda, c + r.lowerBound * ldc)
            }
        }
    }
}
