import CNumerics
import Foundation

/// Regression-based checks: scaling exponents from weighted log-log fits (variance versus dimension or
/// rank) and joint tests on several coefficients (rates in log d and log T). GSL does the fits.
public enum Fits {
    public struct Line: Codable, Sendable {
        public let intercept: Double
        public let slope: Double
        public let varianceIntercept: Double
        public let covariance: Double
        public let varianceSlope: Double
        /// Weighted residual sum of squares (χ² of the fit when the weights are 1/σ²).
        public let chiSquared: Double

        public func slopeInterval(confidence: Double = 0.95) -> (Double, Double) {
            let z = Dist.normalUpper((1 - confidence) / 2)
            return (slope - z * varianceSlope.squareRoot(), slope + z * varianceSlope.squareRoot())
        }
    }

    /// Weighted least squares y = a + b x with known variances of y (weights 1/σ²), by `gsl_fit_wlinear`.
    public static func weightedLine(x: [Double], y: [Double], variances: [Double]) throws -> Line {
        guard x.count == y.count, y.count == variances.count, x.count >= 2 else {
            throw StatsError(
                """
                a line fit needs ≥ 2 points with as many x, y and variances (got \(x.count), \(y.count), \
                \(variances.count))
                """
            )
        }
        guard variances.allSatisfy({ $0 > 0 && $0.isFinite }) else {
            throw StatsError("fit variances must be positive and finite")
        }
        _ = Dist.once
        let w = variances.map { 1 / $0 }
        var c0 = 0.0
        var c1 = 0.0
        var v00 = 0.0
        var v01 = 0.0
        var v11 = 0.0
        var chi = 0.0
        let status = gsl_fit_wlinear(x, 1, w, 1, y, 1, x.count, &c0, &c1, &v00, &v01, &v11, &chi)
        guard status == GSL_SUCCESS else { throw StatsError("GSL weighted fit failed (status \(status))") }
        return Line(
            intercept: c0, slope: c1, varianceIntercept: v00, covariance: v01, varianceSlope: v11, chiSquared: chi)
    }

    /// Scaling check: given measured V̂(x) with standard errors and the exact theory V(x), fits
    /// log(V̂/V) = a + b log x (Var log(V̂/V) ≈ SE²/V̂², delta method) and tests a = b = 0 jointly by the
    /// Wald χ²₂ statistic. A wrong exponent shows as b ≠ 0, a wrong constant as a ≠ 0.
    /// Also reports the raw fitted exponent of V̂ against x with its interval.
    public static func scalingAgainstTheory(
        x: [Double], measured: [Double], standardErrors: [Double], theory: [Double],
        alpha: Double, name: String = "scaling vs theory"
    ) throws -> (Verdict, Line, Line) {
        let lx = x.map { log($0) }
        let ratio = zip(measured, theory).map { log($0 / $1) }
        let variances = zip(standardErrors, measured).map { ($0 / $1) * ($0 / $1) }
        let fit = try weightedLine(x: lx, y: ratio, variances: variances)
        let raw = try weightedLine(x: lx, y: measured.map { log($0) }, variances: variances)
        // Wald: [a b] V⁻¹ [a b]ᵀ with V the 2×2 covariance.
        let det = fit.varianceIntercept * fit.varianceSlope - fit.covariance * fit.covariance
        let wald =
            (fit.varianceSlope * fit.intercept * fit.intercept - 2 * fit.covariance * fit.intercept * fit.slope
                + fit.varianceIntercept * fit.slope * fit.slope) / det
        let p = Dist.chiSquaredSurvival(wald, dof: 2)
        let detectable =
            (Dist.normalUpper(alpha / 2) + Dist.normalQuantile(defaultPower)) * fit.varianceSlope.squareRoot()
        let (lo, hi) = raw.slopeInterval()
        let verdict = Verdict(
            check: name, statistic: wald, pValue: p, n: x.count, alpha: alpha, detectableEffect: detectable,
            effectUnit: "exponent", outcome: p < alpha ? .fail : .pass,
            details: String(
                format: "log(V̂/V) = %.4f + %.4f log x; fitted exponent of V̂ %.4f [%.4f, %.4f] (95%%)",
                fit.intercept, fit.slope, raw.slope, lo, hi))
        return (verdict, fit, raw)
    }

    public struct Regression: Sendable {
        public let coefficients: [Double]
        public let covariance: [[Double]]
        public let residualDegreesOfFreedom: Int

        /// The Student-t 95 % half-width of coefficient j: t_{0.975, n−p}·√Cov_jj.
        public func halfWidth95(_ j: Int) -> Double {
            ConfidenceInterval.tHalfWidth95(
                standardError: covariance[j][j].squareRoot(), dof: Double(residualDegreesOfFreedom))
        }
    }

    /// Ordinary least squares y = X β (X given row by row) with covariance σ̂²(XᵀX)⁻¹, σ̂² from the
    /// residuals (`gsl_multifit_linear`).
    public static func linearRegression(design: [[Double]], y: [Double]) throws -> Regression {
        let n = design.count
        let p = design.first?.count ?? 0
        guard n == y.count, n > p, p > 0, design.allSatisfy({ $0.count == p }) else {
            throw StatsError("regression needs n > p rows of equal length (n = \(n), p = \(p))")
        }
        _ = Dist.once
        guard let X = gsl_matrix_alloc(n, p), let Y = gsl_vector_alloc(n), let c = gsl_vector_alloc(p),
            let cov = gsl_matrix_alloc(p, p), let work = gsl_multifit_linear_alloc(n, p)
        else {
            throw StatsError("GSL could not allocate an \(n)×\(p) regression")
        }
        defer {
            gsl_matrix_free(X)
            gsl_vector_free(Y)
            gsl_vector_free(c)
            gsl_matrix_free(cov)
            gsl_multifit_linear_free(work)
        }
        for i in 0..<n {
            gsl_vector_set(Y, i, y[i])
            for j in 0..<p { gsl_matrix_set(X, i, j, design[i][j]) }
        }
        var chi = 0.0
        let status = gsl_multifit_linear(X, Y, c, cov, &chi, work)
        guard status == GSL_SUCCESS else { throw StatsError("GSL regression failed (status \(status))") }
        // GSL's cov is (XᵀX)⁻¹ scaled by χ²/(n − p) (the residual variance).
        return Regression(
            coefficients: (0..<p).map { gsl_vector_get(c, $0) },
            covariance: (0..<p).map { i in (0..<p).map { gsl_matrix_get(cov, i, $0) } },
            residualDegreesOfFreedom: n - p)
    }

    /// Joint F-test of H0: β_k = b_k for the listed coefficient indices (Wald/q against F(q, n − p)).
    public static func jointCoefficientTest(
        _ r: Regression, indices: [Int], hypothesis: [Double], alpha: Double,
        name: String = "joint coefficient test"
    ) throws -> Verdict {
        let q = indices.count
        let diff = indices.enumerated().map { r.coefficients[$1] - hypothesis[$0] }
        var sub = indices.map { i in indices.map { r.covariance[i][$0] } }
        let solved = try solveSymmetric(&sub, diff)
        let wald = zip(diff, solved).reduce(0) { $0 + $1.0 * $1.1 }
        let f = wald / Double(q)
        let p = Dist.fSurvival(f, dof1: Double(q), dof2: Double(r.residualDegreesOfFreedom))
        let se = indices.map { r.covariance[$0][$0].squareRoot() }.max() ?? .infinity
        let detectable = (Dist.normalUpper(alpha / 2) + Dist.normalQuantile(defaultPower)) * se
        return Verdict(
            check: name, statistic: f, pValue: p, n: r.residualDegreesOfFreedom + r.coefficients.count, alpha: alpha,
            detectableEffect: detectable, effectUnit: "coefficient", outcome: p < alpha ? .fail : .pass,
            details: indices.enumerated().map { "β\($1) = \(r.coefficients[$1]) (H0 \(hypothesis[$0]))" }.joined(
                separator: ", "))
    }

    /// Solves a small symmetric positive-definite system by Cholesky (GSL).
    static func solveSymmetric(_ a: inout [[Double]], _ b: [Double]) throws -> [Double] {
        let n = b.count
        guard let m = gsl_matrix_alloc(n, n), let v = gsl_vector_alloc(n) else {
            throw StatsError("GSL allocation failed")
        }
        defer {
            gsl_matrix_free(m)
            gsl_vector_free(v)
        }
        for i in 0..<n {
            gsl_vector_set(v, i, b[i])
            for j in 0..<n { gsl_matrix_set(m, i, j, a[i][j]) }
        }
        guard gsl_linalg_cholesky_decomp1(m) == GSL_SUCCESS, gsl_linalg_cholesky_svx(m, v) == GSL_SUCCESS else {
            throw StatsError(
                "covariance matrix is not positive definite: the coefficients are not identifiable from this design")
        }
        return (0..<n).map { gsl_vector_get(v, $0) }
    }
}

/// A statistics error: invalid design or input, with what to change.
public struct StatsError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
