/// Shared pieces of the low-rank distributions (LOZO, SubZero): rank validation and the
/// dense MeZO fallback for vector tensors.
enum LowRank {
    /// Throws unless 1 ≤ rank ≤ min(rows, cols) for every matrix tensor.
    static func validate(rank: Int, _ layout: ParameterLayout, method: String) throws(ZOError) {
        guard rank > 0 else {
            throw ZOError(
                "\(method) rank r must be ≥ 1, got \(rank)", at: method,
                fix: "pass a rank between 1 and min(m, n) of the smallest weight matrix")
        }
        for spec in layout.tensors where spec.kind == .matrix {
            guard rank <= min(spec.rows, spec.cols) else {
                throw ZOError(
                    """
                    \(method) rank r = \(rank) exceeds min(m, n) = \(min(spec.rows, spec.cols)) of tensor \
                    '\(spec.name)' (\(spec.rows)×\(spec.cols))
                    """,
                    at: method, fix: "use r ≤ \(min(spec.rows, spec.cols)), or exclude that tensor")
            }
        }
    }

    /// Row-major product Z = A Bᵀ with A m×k and B n×k, written into `buffer` (m·n values).
    @inlinable
    static func writeProduct<T: ZOScalar>(
        _ a: [Double], _ b: [Double], rows m: Int, cols n: Int, rank k: Int,
        scale: Double, into buffer: UnsafeMutableBufferPointer<T>
    ) {
        for i in 0..<m {
            for j in 0..<n {
                var s = 0.0
                for l in 0..<k { s += a[i * k + l] * b[j * k + l] }
                buffer[i * n + j] = T(scale * s)
            }
        }
    }

    /// A Gaussian m×k matrix (row-major, Double) under `key`.
    static func gaussian(rows m: Int, cols k: Int, key: PRNGKey) -> [Double] {
        [Double](unsafeUninitializedCapacity: m * k) { buf, n in
            Double.fillGaussian(buf, key: key, offset: 0)
            n = m * k
        }
    }
}
