import CNumerics

/// Tests of a mean: scalar t-tests (directed: along fixed directions, the true gradient's included,
/// which catches scaling bugs), a χ² test with known covariance, and Hotelling's T² for unknown
/// covariance (n ≫ d). Proofs/statistics.md derives each null distribution.
public enum MeanChecks {
    public struct Summary: Sendable {
        public let n: Int
        public let mean: Double
        public let standardDeviation: Double
        public var standardError: Double { standardDeviation / Double(max(n, 1)).squareRoot() }

        public init(_ values: [Double]) {
            n = values.count
            var m = 0.0
            var s = 0.0
            // Welford: stable for large means (‖ĝ‖² values are large and close together).
            for (i, x) in values.enumerated() {
                let delta = x - m
                m += delta / Double(i + 1)
                s += delta * (x - m)
            }
            mean = m
            standardDeviation = n > 1 ? (s / Double(n - 1)).squareRoot() : 0
        }
    }

    /// Streaming sums Σx and Σx² of n values, for loops that cannot keep the values: the mean and the
    /// standard error √(max(Σx²/n − x̄², 0)/n) (the population variance, 1/n; one pass, no storage).
    public struct RunningSums: Sendable {
        public private(set) var count = 0
        public private(set) var sum = 0.0
        public private(set) var sumOfSquares = 0.0

        public init() {}

        public mutating func add(_ x: Double) {
            count += 1
            sum += x
            sumOfSquares += x * x
        }

        public var mean: Double { sum / Double(count) }
        public var standardError: Double {
            let n = Double(count)
            let m = sum / n
            return (max(sumOfSquares / n - m * m, 0) / n).squareRoot()
        }
    }

    /// The differences dᵢ = afterᵢ − beforeᵢ of a paired sample and the one-sided paired t-test of
    /// H₀: E d ≥ 0: t = d̄/(s/√n) (two-pass mean and sd), p = P(T_{n−1} ≤ t); a small p shows a
    /// decrease. Design: `Design.meanDetectable(n:sigma:alpha:sides: .one)` with σ the sd of d.
    public struct PairedDifference: Codable, Sendable {
        public var n: Int
        public var mean: Double
        public var standardDeviation: Double
        public var t: Double
        public var pValue: Double

        /// The smallest decrease E d = −δ the test detects at α with power `power`.
        public func detectableDecrease(alpha: Double, power: Double = defaultPower) -> Double {
            Design.meanDetectable(n: n, sigma: standardDeviation, alpha: alpha, sides: .one, power: power)
        }
    }

    public static func pairedDecrease(before: [Double], after: [Double]) -> PairedDifference {
        let d = zip(after, before).map { $0 - $1 }
        let n = Double(d.count)
        let mean = d.reduce(0, +) / n
        let sd = (d.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)).squareRoot()
        let t = mean / (sd / n.squareRoot())
        return PairedDifference(
            n: d.count, mean: mean, standardDeviation: sd, t: t, pValue: Dist.tCDF(t, dof: n - 1))
    }

    /// t-test of E X = target (two-sided), or E X ≤ target (`.one`: fails when the mean is
    /// significantly above). `required`: the discrepancy the check must be able to detect (else inconclusive).
    public static func scalarMean(
        _ values: [Double], target: Double, alpha: Double, sides: Design.Sides = .two,
        required: Double? = nil, name: String = "mean"
    ) -> Verdict {
        if let bad = Verdict.nonFinite(in: values, check: name, alpha: alpha)
            ?? Verdict.nonFiniteTarget([target], check: name, alpha: alpha)
        {
            return bad
        }
        let s = Summary(values)
        let se = s.standardError
        guard se > 0 else {
            // Every value equal: no t statistic; the comparison is exact (statistic = mean − target).
            let holds = sides == .two ? s.mean == target : s.mean <= target
            return Verdict(
                check: name, statistic: s.mean - target, pValue: holds ? 1 : 0, n: s.n, alpha: alpha,
                detectableEffect: 0, outcome: holds ? .pass : .fail,
                details: "all \(s.n) values equal \(s.mean): compared exactly with target \(target)")
        }
        let t = (s.mean - target) / se
        let dof = Double(max(s.n - 1, 1))
        let p = sides == .two ? min(1, 2 * Dist.tSurvival(abs(t), dof: dof)) : Dist.tSurvival(t, dof: dof)
        let detectable = Design.meanDetectable(n: s.n, sigma: s.standardDeviation, alpha: alpha, sides: sides)
        return Verdict(
            check: name, statistic: t, pValue: p, n: s.n, alpha: alpha, detectableEffect: detectable,
            outcome: Verdict.decide(pValue: p, alpha: alpha, detectable: detectable, required: required),
            details: "mean \(s.mean) ± \(se) (SE), target \(target)")
    }

    /// Directed tests: for each direction u_k, a t-test of E⟨X, u_k⟩ = ⟨μ, u_k⟩; Holm across directions
    /// at total α. `projections[k]` holds ⟨x_i, u_k⟩ for every sample i.
    public static func meanAlongDirections(
        _ projections: [[Double]], targets: [Double], alpha: Double,
        required: Double? = nil, names: [String]? = nil
    ) -> Verdict {
        let verdicts = projections.indices.map { k in
            scalarMean(
                projections[k], target: targets[k], alpha: Multiplicity.bonferroni(alpha, tests: projections.count),
                required: nil,
                name: names?[k] ?? "direction \(k)")
        }
        let holm = Multiplicity.holm(verdicts.map(\.pValue), alpha: alpha)
        let worst = verdicts.max { abs($0.statistic) < abs($1.statistic) } ?? verdicts[0]
        let detectable =
            projections.indices.map { k in
                Design.meanDetectable(
                    n: projections[k].count, sigma: Summary(projections[k]).standardDeviation,
                    alpha: Multiplicity.bonferroni(alpha, tests: projections.count))
            }.max() ?? .infinity
        let outcome: Outcome =
            holm.anyRejected ? .fail : (required.map { detectable > $0 } ?? false) ? .inconclusive : .pass
        return Verdict(
            check: "mean along \(projections.count) directions (Holm)", statistic: worst.statistic,
            pValue: holm.adjustedMinimum, n: worst.n, alpha: alpha, detectableEffect: detectable,
            outcome: outcome, details: verdicts.map { "\($0.check): t=\($0.statistic)" }.joined(separator: "; "))
    }

    /// χ² test with known covariance Σ: n (x̄ − μ)ᵀ Σ⁻¹ (x̄ − μ) ~ χ²_d (exact for Gaussian samples, by
    /// the CLT otherwise). `applyInverseCovariance(v)` returns Σ⁻¹v. Effect unit: Mahalanobis distance.
    public static func chiSquaredMean(
        _ samples: [[Double]], target: [Double], alpha: Double,
        applyInverseCovariance: ([Double]) -> [Double], required: Double? = nil
    ) -> Verdict {
        let n = samples.count
        let d = target.count
        if let bad = Verdict.nonFinite(in: samples.flatMap { $0 }, check: "χ² mean", alpha: alpha)
            ?? Verdict.nonFiniteTarget(target, check: "χ² mean", alpha: alpha)
        {
            return bad
        }
        var mean = [Double](repeating: 0, count: d)
        for x in samples { for j in 0..<d { mean[j] += x[j] } }
        let diff = (0..<d).map { mean[$0] / Double(n) - target[$0] }
        let w = applyInverseCovariance(diff)
        let stat = Double(n) * zip(diff, w).reduce(0) { $0 + $1.0 * $1.1 }
        let p = Dist.chiSquaredSurvival(stat, dof: Double(d))
        let detectable = Design.chiSquaredDetectable(n: n, dimension: d, alpha: alpha)
        return Verdict(
            check: "χ² mean (known covariance)", statistic: stat, pValue: p, n: n, alpha: alpha,
            detectableEffect: detectable, effectUnit: "Mahalanobis",
            outcome: Verdict.decide(pValue: p, alpha: alpha, detectable: detectable, required: required),
            details: "χ²_\(d) = \(stat)")
    }

    /// Hotelling's T² with the sample covariance S: F = (n − d)/(d(n − 1)) · T² ~ F(d, n − d) for
    /// Gaussian samples; requires n > d (use n ≫ d for non-Gaussian ĝ). Cholesky by GSL.
    public static func hotelling(_ samples: [[Double]], target: [Double], alpha: Double, required: Double? = nil)
        -> Verdict
    {
        let n = samples.count
        let d = target.count
        if let bad = Verdict.nonFinite(in: samples.flatMap { $0 }, check: "Hotelling T²", alpha: alpha)
            ?? Verdict.nonFiniteTarget(target, check: "Hotelling T²", alpha: alpha)
        {
            return bad
        }
        guard n > d + 1 else {
            return Verdict(
                check: "Hotelling T²", statistic: .nan, pValue: 1, n: n, alpha: alpha, detectableEffect: .infinity,
                outcome: .inconclusive, details: "needs n > d + 1 (n = \(n), d = \(d))")
        }
        var mean = [Double](repeating: 0, count: d)
        for x in samples { for j in 0..<d { mean[j] += x[j] / Double(n) } }
        _ = Dist.once
        guard let cov = gsl_matrix_calloc(d, d), let rhs = gsl_vector_alloc(d) else {
            return Verdict(
                check: "Hotelling T²", statistic: .nan, pValue: 1, n: n, alpha: alpha, detectableEffect: .infinity,
                outcome: .inconclusive, details: "GSL could not allocate a \(d)×\(d) matrix")
        }
        defer {
            gsl_matrix_free(cov)
            gsl_vector_free(rhs)
        }
        for x in samples {
            for a in 0..<d {
                for b in 0...a {
                    let v = gsl_matrix_get(cov, a, b) + (x[a] - mean[a]) * (x[b] - mean[b])
                    gsl_matrix_set(cov, a, b, v)
                }
            }
        }
        for a in 0..<d {
            for b in 0...a {
                let v = gsl_matrix_get(cov, a, b) / Double(n - 1)
                gsl_matrix_set(cov, a, b, v)
                gsl_matrix_set(cov, b, a, v)
            }
        }
        for j in 0..<d { gsl_vector_set(rhs, j, mean[j] - target[j]) }
        let diff = (0..<d).map { gsl_vector_get(rhs, $0) }
        guard gsl_linalg_cholesky_decomp1(cov) == GSL_SUCCESS, gsl_linalg_cholesky_svx(cov, rhs) == GSL_SUCCESS else {
            return Verdict(
                check: "Hotelling T²", statistic: .nan, pValue: 1, n: n, alpha: alpha, detectableEffect: .infinity,
                outcome: .inconclusive, details: "sample covariance is singular: increase n or reduce d")
        }
        let t2 = Double(n) * (0..<d).reduce(0.0) { $0 + diff[$1] * gsl_vector_get(rhs, $1) }
        let f = Double(n - d) / (Double(d) * Double(n - 1)) * t2
        let p = Dist.fSurvival(f, dof1: Double(d), dof2: Double(n - d))
        let detectable = Design.chiSquaredDetectable(n: n, dimension: d, alpha: alpha)
        return Verdict(
            check: "Hotelling T²", statistic: t2, pValue: p, n: n, alpha: alpha, detectableEffect: detectable,
            effectUnit: "Mahalanobis",
            outcome: Verdict.decide(pValue: p, alpha: alpha, detectable: detectable, required: required),
            details: "T² = \(t2), F(\(d), \(n - d)) = \(f)")
    }
}
