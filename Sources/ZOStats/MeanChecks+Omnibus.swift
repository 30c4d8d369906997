import CNumerics

extension MeanChecks {
    /// Omnibus test of E X = μ in every direction, for samples that may live in a subspace (a sparse
    /// mask, a low-rank range): the sample covariance S = Σ λ_k e_k e_kᵀ (GSL `gsl_eigen_symmv`) splits
    /// ℝ^d into its support {λ_k > 10⁻¹⁰ λ_max} and its null space.
    /// - Support (dimension k): Hotelling's T² = n Σ_k ⟨x̄ − μ, e_k⟩²/λ_k, F = (n − k)/(k(n − 1))·T² ~ F(k, n − k)
    ///   (exact for Gaussian X, asymptotic otherwise; n ≫ k). Proofs/statistics.md#hotelling.
    /// - Null space: every sample has the same component there, so its mean is known exactly; it must
    ///   equal μ's component to `nullTolerance` relative to max(‖μ‖, ‖x̄‖) (rounding), else FAIL.
    /// Effect unit: × `scale` (e.g. ‖E ĝ‖), for a bias in ANY direction: a bias b in the support has
    /// Mahalanobis distance ≥ ‖b‖/√λ_max, so Design.chiSquaredDetectable's δ_M is reached once
    /// ‖b‖ ≥ δ_M·√λ_max; a bias outside the support is caught exactly. Proofs/statistics.md#omnibus.
    public static func omnibusMean(
        _ samples: [[Double]], target: [Double], alpha: Double, scale: Double, nullTolerance: Double = 1e-9,
        name: String = "omnibus (Hotelling on the support)"
    ) -> Verdict {
        let n = samples.count
        let d = target.count
        if let bad = Verdict.nonFinite(in: samples.flatMap { $0 }, check: name, alpha: alpha)
            ?? Verdict.nonFiniteTarget(target, check: name, alpha: alpha)
        {
            return bad
        }
        var mean = [Double](repeating: 0, count: d)
        for x in samples { for j in 0..<d { mean[j] += x[j] / Double(n) } }
        _ = Dist.once
        guard n > 2, let cov = gsl_matrix_calloc(d, d), let values = gsl_vector_alloc(d),
            let vectors = gsl_matrix_alloc(d, d), let work = gsl_eigen_symmv_alloc(d)
        else {
            return Verdict(
                check: name, statistic: .nan, pValue: 1, n: n, alpha: alpha, detectableEffect: .infinity,
                outcome: .inconclusive, details: "needs n > 2 and a \(d)×\(d) matrix (n = \(n))")
        }
        defer {
            gsl_matrix_free(cov)
            gsl_vector_free(values)
            gsl_matrix_free(vectors)
            gsl_eigen_symmv_free(work)
        }
        for x in samples {
            for a in 0..<d {
                let da = x[a] - mean[a]
                guard da != 0 else { continue }
                for b in 0...a { gsl_matrix_set(cov, a, b, gsl_matrix_get(cov, a, b) + da * (x[b] - mean[b])) }
            }
        }
        for a in 0..<d {
            for b in 0...a {
                let v = gsl_matrix_get(cov, a, b) / Double(n - 1)
                gsl_matrix_set(cov, a, b, v)
                gsl_matrix_set(cov, b, a, v)
            }
        }
        guard gsl_eigen_symmv(cov, values, vectors, work) == GSL_SUCCESS else {
            return Verdict(
                check: name, statistic: .nan, pValue: 1, n: n, alpha: alpha, detectableEffect: .infinity,
                outcome: .inconclusive, details: "the eigen-decomposition of the sample covariance failed")
        }
        let lambda = (0..<d).map { gsl_vector_get(values, $0) }
        let largest = lambda.max() ?? 0
        let diff = (0..<d).map { mean[$0] - target[$0] }
        func component(_ k: Int) -> Double { (0..<d).reduce(0.0) { $0 + gsl_matrix_get(vectors, $1, k) * diff[$1] } }
        let support = (0..<d).filter { lambda[$0] > 1e-10 * largest }
        let null = (0..<d).filter { !(lambda[$0] > 1e-10 * largest) }
        // Null space: the mean there is exact; compare it with the target's component.
        let norm = max(target.reduce(0) { $0 + $1 * $1 }, mean.reduce(0) { $0 + $1 * $1 }).squareRoot()
        let nullGap = null.reduce(0.0) { $0 + component($1) * component($1) }.squareRoot()
        if nullGap > nullTolerance * max(norm, .leastNormalMagnitude) {
            return Verdict(
                check: name, statistic: nullGap / max(scale, .leastNormalMagnitude), pValue: 0, n: n, alpha: alpha,
                detectableEffect: nullTolerance * norm / scale, effectUnit: "× scale", outcome: .fail,
                details: """
                    the samples have no spread in \(null.count) of \(d) directions, and there their (exact) mean \
                    differs from the target by \(nullGap) (tolerance \(nullTolerance) × \(norm))
                    """)
        }
        let k = support.count
        guard k > 0, n > k + 1 else {
            return Verdict(
                check: name, statistic: 0, pValue: 1, n: n, alpha: alpha, detectableEffect: .infinity,
                outcome: .inconclusive,
                details: "support of dimension \(k) needs n > k + 1 (n = \(n)); null space exact")
        }
        let t2 = Double(n) * support.reduce(0.0) { $0 + component($1) * component($1) / lambda[$1] }
        let f = Double(n - k) / (Double(k) * Double(n - 1)) * t2
        let p = Dist.fSurvival(f, dof1: Double(k), dof2: Double(n - k))
        let mahalanobis = Design.chiSquaredDetectable(n: n, dimension: k, alpha: alpha)
        let detectable = mahalanobis * largest.squareRoot() / scale
        return Verdict(
            check: name, statistic: t2, pValue: p, n: n, alpha: alpha, detectableEffect: detectable,
            effectUnit: "× scale (any direction)",
            outcome: Verdict.decide(pValue: p, alpha: alpha, detectable: detectable, required: nil),
            details: """
                T² = \(t2), F(\(k), \(n - k)) = \(f) on a support of dimension \(k) of \(d); null space exact \
                (gap \(nullGap)); detects Mahalanobis \(mahalanobis)
                """)
    }

    /// The largest eigenvalue of the sample covariance of `samples` by power iteration (no d×d matrix:
    /// each iteration is Σᵢ (xᵢ − x̄)⟨xᵢ − x̄, v⟩/(n − 1), O(n d); 60 iterations from the all-ones vector).
    public static func largestCovarianceEigenvalue(_ samples: [[Double]]) -> Double {
        let n = samples.count
        guard n > 1, let d = samples.first?.count, d > 0 else { return 0 }
        var mean = [Double](repeating: 0, count: d)
        for x in samples { for j in 0..<d { mean[j] += x[j] / Double(n) } }
        var v = [Double](repeating: 1 / Double(d).squareRoot(), count: d)
        var lambda = 0.0
        for _ in 0..<60 {
            var next = [Double](repeating: 0, count: d)
            for x in samples {
                var dot = 0.0
                for j in 0..<d { dot += (x[j] - mean[j]) * v[j] }
                for j in 0..<d { next[j] += (x[j] - mean[j]) * dot / Double(n - 1) }
            }
            let norm = next.reduce(0) { $0 + $1 * $1 }.squareRoot()
            guard norm > 0 else { return 0 }
            lambda = norm
            v = next.map { $0 / norm }
        }
        return lambda
    }
}
