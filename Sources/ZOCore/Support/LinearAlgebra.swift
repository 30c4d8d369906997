import CNumerics

/// Small dense linear algebra in Double through GSL (checks and reports, not hot paths).
public enum LinearAlgebra {
    /// GSL's default error handler aborts the process; ZOCheck checks status codes instead.
    /// Called by every GSL wrapper; idempotent.
    public static func disableGSLAbort() {
        zo_gsl_disable_abort()
    }

    /// Singular values (descending) of a row-major rows×cols matrix (one-sided Jacobi, accurate
    /// for small singular values too).
    public static func singularValues(_ a: [Double], rows: Int, cols: Int) throws(ZOError) -> [Double] {
        guard a.count == rows * cols, rows > 0, cols > 0 else {
            throw ZOError(
                "matrix of \(a.count) values is not \(rows)×\(cols)", at: "LinearAlgebra.singularValues",
                fix: "pass rows·cols values, row-major")
        }
        disableGSLAbort()
        // GSL wants M ≥ N: factor Aᵀ when A is wide (same singular values).
        let (m, n) = rows >= cols ? (rows, cols) : (cols, rows)
        guard let mat = gsl_matrix_alloc(m, n), let v = gsl_matrix_alloc(n, n), let s = gsl_vector_alloc(n) else {
            throw ZOError(
                "GSL could not allocate a \(m)×\(n) matrix", at: "LinearAlgebra.singularValues",
                fix: "free memory or use a smaller matrix")
        }
        defer {
            gsl_matrix_free(mat)
            gsl_matrix_free(v)
            gsl_vector_free(s)
        }
        for i in 0..<rows {
            for j in 0..<cols {
                if rows >= cols {
                    gsl_matrix_set(mat, i, j, a[i * cols + j])
                } else {
                    gsl_matrix_set(mat, j, i, a[i * cols + j])
                }
            }
        }
        let status = gsl_linalg_SV_decomp_jacobi(mat, v, s)
        guard status == GSL_SUCCESS else {
            throw ZOError(
                "GSL SVD failed with status \(status)", at: "LinearAlgebra.singularValues",
                fix: "check the matrix for NaN or infinity")
        }
        return (0..<n).map { gsl_vector_get(s, $0) }.sorted(by: >)
    }

    /// Number of singular values above `relativeTolerance · σ_max`.
    public static func numericalRank(_ a: [Double], rows: Int, cols: Int, relativeTolerance: Double = 1e-10)
        throws(ZOError) -> Int
    {
        let sv = try singularValues(a, rows: rows, cols: cols)
        guard let top = sv.first, top > 0 else { return 0 }
        return sv.filter { $0 > relativeTolerance * top }.count
    }

    /// Stable rank ‖A‖²_F / ‖A‖²₂ (LOZO's low-rank premise, issue escalation claim (a)).
    public static func stableRank(_ a: [Double], rows: Int, cols: Int) throws(ZOError) -> Double {
        let sv = try singularValues(a, rows: rows, cols: cols)
        guard let top = sv.first, top > 0 else { return 0 }
        return sv.reduce(0) { $0 + $1 * $1 } / (top * top)
    }

    /// AᵀA − I's largest absolute entry for a row-major rows×cols A: orthonormality defect of columns.
    public static func orthonormalityDefect(_ a: [Double], rows: Int, cols: Int) -> Double {
        var worst = 0.0
        for p in 0..<cols {
            for q in 0..<cols {
                var s = 0.0
                for i in 0..<rows { s += a[i * cols + p] * a[i * cols + q] }
                worst = max(worst, Swift.abs(s - (p == q ? 1 : 0)))
            }
        }
        return worst
    }
}
