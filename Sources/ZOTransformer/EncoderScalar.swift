import CNumerics
import Foundation
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
    /// Row-major C ← α·op(A)·op(B) + β·C with op(X) = Xᵀ when `transX`; OpenBLAS.
    static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Self,
                     a: UnsafePointer<Self>, lda: Int, b: UnsafePointer<Self>, ldb: Int,
                     beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)
    /// eˣ (libm).
    static func exponential(_ x: Self) -> Self
    /// The error function erf(x) (libm; exact GELU needs it, not the tanh approximation).
    static func errorFunction(_ x: Self) -> Self
    /// out = GELU(inp), exact (erf) form: vectorised for Float (`FastMath.gelu`), the libm
    /// reference `GELU.forwardNaive` for Double.
    static func gelu(_ out: UnsafeMutablePointer<Self>, _ inp: UnsafePointer<Self>, count: Int)
    /// x[i] ← exp(x[i]) for i < count (−∞ ↦ 0): vectorised for Float (`FastMath.exp`), libm for Double.
    static func expInPlace(_ x: UnsafeMutablePointer<Self>, count: Int)
}

extension Float: EncoderScalar {
    @inlinable
    public static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                            a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                            beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        guard m > 0, n > 0 else { return }
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
    }
    @inlinable public static func exponential(_ x: Float) -> Float { exp(x) }
    @inlinable public static func errorFunction(_ x: Float) -> Float { erf(x) }
    @inlinable public static func gelu(_ out: UnsafeMutablePointer<Float>, _ inp: UnsafePointer<Float>, count: Int) {
        FastMath.gelu(out, inp, count: count)
    }
    @inlinable public static func expInPlace(_ x: UnsafeMutablePointer<Float>, count: Int) {
        FastMath.expInPlace(x, count: count)
    }
}

extension Double: EncoderScalar {
    @inlinable
    public static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Double,
                            a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
                            beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int) {
        guard m > 0, n > 0 else { return }
        cblas_dgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
    }
    @inlinable public static func exponential(_ x: Double) -> Double { exp(x) }
    @inlinable public static func errorFunction(_ x: Double) -> Double { erf(x) }
    @inlinable public static func gelu(_ out: UnsafeMutablePointer<Double>, _ inp: UnsafePointer<Double>, count: Int) {
        GELU.forwardNaive(out, inp, count: count)
    }
    @inlinable public static func expInPlace(_ x: UnsafeMutablePointer<Double>, count: Int) {
        for i in 0..<count { x[i] = exp(x[i]) }
    }
}

/// The naive reference for `EncoderScalar.gemm`: the same contract, triple loop, Double sums.
/// Kept beside the BLAS path and compared with it in tests.
public enum NaiveGemm {
    @inlinable
    public static func gemm<T: EncoderScalar>(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: T,
                                              a: UnsafePointer<T>, lda: Int, b: UnsafePointer<T>, ldb: Int,
                                              beta: T, c: UnsafeMutablePointer<T>, ldc: Int) {
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

/// OpenBLAS's thread count. Results are reproducible for a fixed count (OpenBLAS splits the same
/// way every time); they may differ in the last bits between counts.
public enum BLASThreads {
    /// Sets the number of OpenBLAS threads (≥ 1).
    public static func set(_ count: Int) throws(ZOError) {
        guard count >= 1, count <= 1024 else {
            throw ZOError("thread count \(count) is outside 1…1024", at: "BLASThreads.set",
                          fix: "pass --threads between 1 and the number of cores")
        }
        openblas_set_num_threads(Int32(count))
    }

    /// The number of threads OpenBLAS will use.
    public static var current: Int { Int(openblas_get_num_threads()) }

    /// `OPENBLAS_NUM_THREADS` from the environment, when set to a positive integer.
    public static var fromEnvironment: Int? {
        ProcessInfo.processInfo.environment["OPENBLAS_NUM_THREADS"].flatMap { Int($0) }.flatMap { $0 >= 1 ? $0 : nil }
    }
}
