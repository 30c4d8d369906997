import CNumerics
import ZOCore

/// Small dense linear algebra in Double on row-major buffers (the synthetic problems are small
/// or factored, so plain loops in i-k-j order suffice; no BLAS path to keep in sync).
enum Dense {
    /// C = A B. A is (m, k), B is (k, n), C is (m, n).
    static func matmul(_ a: [Double], _ b: [Double], m: Int, k: Int, n: Int) -> [Double] {
        var c = [Double](repeating: 0, count: m * n)
        for i in 0..<m {
            for l in 0..<k {
                let ail = a[i * k + l]
                if ail == 0 { continue }
                for j in 0..<n { c[i * n + j] += ail * b[l * n + j] }
            }
        }
        return c
    }

    /// C = Aᵀ B. A is (k, m), B is (k, n), C is (m, n).
    static func transposedTimes(_ a: [Double], _ b: [Double], k: Int, m: Int, n: Int) -> [Double] {
        var c = [Double](repeating: 0, count: m * n)
        for l in 0..<k {
            for i in 0..<m {
                let ali = a[l * m + i]
                if ali == 0 { continue }
                for j in 0..<n { c[i * n + j] += ali * b[l * n + j] }
            }
        }
        return c
    }

    /// C = A Bᵀ. A is (m, k), B is (n, k), C is (m, n).
    static func timesTransposed(_ a: [Double], _ b: [Double], m: Int, k: Int, n: Int) -> [Double] {
        var c = [Double](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                var s = 0.0
                for l in 0..<k { s += a[i * k + l] * b[j * k + l] }
                c[i * n + j] = s
            }
        }
        return c
    }

    /// A (rows, cols) matrix with orthonormal columns: a keyed Gaussian matrix orthonormalised by
    /// modified Gram–Schmidt applied twice ("twice is enough": one pass loses orthogonality in
    /// proportion to the condition number; the second restores it to rounding level).
    static func orthonormalColumns(rows: Int, cols: Int, key: PRNGKey, at location: String) throws(ZOError) -> [Double]
    {
        var q = RandomFill.gaussian(Double.self, count: rows * cols, key: key)
        for j in 0..<cols {
            for _ in 0..<2 {
                for l in 0..<j {
                    var dot = 0.0
                    for i in 0..<rows { dot += q[i * cols + l] * q[i * cols + j] }
                    for i in 0..<rows { q[i * cols + j] -= dot * q[i * cols + l] }
                }
            }
            var norm = 0.0
            for i in 0..<rows { norm += q[i * cols + j] * q[i * cols + j] }
            norm = norm.squareRoot()
            // A Gaussian column lies in the span of the previous ones with probability 0; this
            // guards against a degenerate key rather than a real case.
            guard norm > 1e-8 else {
                throw ZOError(
                    "Gram–Schmidt met a dependent Gaussian column (\(j) of \(cols))", at: location,
                    fix: "use another key")
            }
            for i in 0..<rows { q[i * cols + j] /= norm }
        }
        return q
    }

    /// Eigenvalues (ascending) and, if asked, eigenvectors (columns of a row-major (d, d) matrix) of a
    /// symmetric (d, d) matrix, by GSL's symmetric QR solver.
    static func symmetricEigen(
        _ matrix: [Double], dimension d: Int, vectors: Bool,
        at location: String
    ) throws(ZOError) -> (values: [Double], vectors: [Double]) {
        zo_gsl_disable_abort()
        var a = matrix
        var values = [Double](repeating: 0, count: d)
        var vecs = [Double](repeating: 0, count: vectors ? d * d : 0)
        let status: Int32 = a.withUnsafeMutableBufferPointer { ab in
            values.withUnsafeMutableBufferPointer { vb in
                vecs.withUnsafeMutableBufferPointer { eb in
                    var am = gsl_matrix_view_array(ab.baseAddress, d, d)
                    var ev = gsl_vector_view_array(vb.baseAddress, d)
                    if vectors {
                        var em = gsl_matrix_view_array(eb.baseAddress, d, d)
                        guard let work = gsl_eigen_symmv_alloc(d) else { return Int32(GSL_ENOMEM) }
                        defer { gsl_eigen_symmv_free(work) }
                        let s = gsl_eigen_symmv(&am.matrix, &ev.vector, &em.matrix, work)
                        if s != 0 { return s }
                        return gsl_eigen_symmv_sort(&ev.vector, &em.matrix, GSL_EIGEN_SORT_VAL_ASC)
                    } else {
                        guard let work = gsl_eigen_symm_alloc(d) else { return Int32(GSL_ENOMEM) }
                        defer { gsl_eigen_symm_free(work) }
                        return gsl_eigen_symm(&am.matrix, &ev.vector, work)
                    }
                }
            }
        }
        guard status == 0 else {
            throw ZOError(
                "GSL's symmetric eigensolver failed with status \(status)", at: location,
                fix: "check the matrix for non-finite entries")
        }
        if !vectors { values.sort() }
        return (values, vecs)
    }

    /// The largest eigenvalue of a symmetric positive semidefinite operator of size `dimension`, by
    /// power iteration from a keyed Gaussian start, stopped when the Rayleigh quotient changes by
    /// less than 1e-14 relative (or after `maxIterations`). The Rayleigh quotient approaches λ_max
    /// from below; convergence is geometric in (λ₂/λ₁)², so this is exact to ~1e-12 unless the top
    /// two eigenvalues nearly coincide (then the quotient is still within that gap of λ_max).
    static func largestEigenvalue(
        dimension: Int, key: PRNGKey, maxIterations: Int = 5000,
        apply: ([Double]) -> [Double]
    ) -> Double {
        var v = RandomFill.gaussian(Double.self, count: dimension, key: key)
        var norm = sumOfSquares(v).squareRoot()
        for i in v.indices { v[i] /= norm }
        var rho = 0.0
        for _ in 0..<maxIterations {
            let w = apply(v)
            var quotient = 0.0
            for i in v.indices { quotient += v[i] * w[i] }
            norm = sumOfSquares(w).squareRoot()
            guard norm > 0 else { return 0 }
            for i in v.indices { v[i] = w[i] / norm }
            let done = abs(quotient - rho) <= 1e-14 * abs(quotient)
            rho = quotient
            if done { break }
        }
        return rho
    }
}

/// A matrix M = L diag(σ) Rᵀ of shape (rows, cols) and rank r, with L (rows, r) and R (cols, r)
/// having orthonormal columns: its singular values are exactly σ (and zeros).
struct LowRankFactor: Sendable, Hashable {
    let rows: Int
    let cols: Int
    let sigma: [Double]
    /// (rows, r), orthonormal columns.
    let left: [Double]
    /// (cols, r), orthonormal columns.
    let right: [Double]
    var rank: Int { sigma.count }

    init(rows: Int, cols: Int, sigma: [Double], key: PRNGKey, at location: String) throws(ZOError) {
        self.rows = rows
        self.cols = cols
        self.sigma = sigma
        self.left = try Dense.orthonormalColumns(
            rows: rows, cols: sigma.count, key: key.fold(in: .leftFactors), at: location)
        self.right = try Dense.orthonormalColumns(
            rows: cols, cols: sigma.count, key: key.fold(in: .rightFactors), at: location)
    }

    /// M as a dense row-major (rows, cols) matrix.
    var dense: [Double] {
        let r = rank
        var scaledLeft = left
        for i in 0..<rows { for l in 0..<r { scaledLeft[i * r + l] *= sigma[l] } }
        return Dense.timesTransposed(scaledLeft, right, m: rows, k: r, n: cols)
    }

    /// Eigenvalues of MᵀM (cols of them: σ² then zeros).
    var gramEigenvalues: [Double] {
        sigma.map { $0 * $0 } + [Double](repeating: 0, count: cols - rank)
    }

    /// Eigenvalues of MMᵀ (rows of them).
    var outerGramEigenvalues: [Double] {
        sigma.map { $0 * $0 } + [Double](repeating: 0, count: rows - rank)
    }
}
