import CNumerics

/// Distribution functions from GSL (CDFs, survival functions, quantiles). GSL's abort-on-error
/// handler is switched off once; the `gsl_cdf_*` functions used here do not report errors for
/// arguments in their domain, and every caller validates its arguments first.
public enum Dist {
    static let once: Void = {
        gsl_set_error_handler_off()
        ()
    }()

    /// Φ(x).
    public static func normalCDF(_ x: Double) -> Double {
        _ = once
        return gsl_cdf_ugaussian_P(x)
    }
    /// 1 − Φ(x), accurate in the upper tail.
    public static func normalSurvival(_ x: Double) -> Double {
        _ = once
        return gsl_cdf_ugaussian_Q(x)
    }
    /// Φ⁻¹(p).
    public static func normalQuantile(_ p: Double) -> Double {
        _ = once
        return gsl_cdf_ugaussian_Pinv(p)
    }
    /// The upper α quantile z_{1−α}.
    public static func normalUpper(_ alpha: Double) -> Double {
        _ = once
        return gsl_cdf_ugaussian_Qinv(alpha)
    }

    /// P(T_ν ≤ x).
    public static func tCDF(_ x: Double, dof: Double) -> Double {
        _ = once
        return gsl_cdf_tdist_P(x, dof)
    }
    public static func tSurvival(_ x: Double, dof: Double) -> Double {
        _ = once
        return gsl_cdf_tdist_Q(x, dof)
    }
    /// The t quantile F⁻¹(p) (lower tail; `tUpper(1 − p)` agrees to a few ulps).
    public static func tQuantile(_ p: Double, dof: Double) -> Double {
        _ = once
        return gsl_cdf_tdist_Pinv(p, dof)
    }
    public static func tUpper(_ alpha: Double, dof: Double) -> Double {
        _ = once
        return gsl_cdf_tdist_Qinv(alpha, dof)
    }

    public static func chiSquaredSurvival(_ x: Double, dof: Double) -> Double {
        _ = once
        return gsl_cdf_chisq_Q(x, dof)
    }
    public static func chiSquaredUpper(_ alpha: Double, dof: Double) -> Double {
        _ = once
        return gsl_cdf_chisq_Qinv(alpha, dof)
    }

    public static func fSurvival(_ x: Double, dof1: Double, dof2: Double) -> Double {
        _ = once
        return gsl_cdf_fdist_Q(x, dof1, dof2)
    }
    public static func fUpper(_ alpha: Double, dof1: Double, dof2: Double) -> Double {
        _ = once
        return gsl_cdf_fdist_Qinv(alpha, dof1, dof2)
    }

    /// P(X > k) for X ~ Binomial(n, p), by GSL (the sign test's and the design functions' tail).
    public static func binomialSurvival(_ k: Int, p: Double, trials n: Int) -> Double {
        _ = once
        guard k >= 0 else { return 1 }
        guard k < n else { return 0 }
        return gsl_cdf_binomial_Q(UInt32(k), p, UInt32(n))
    }

    /// P(X ≥ k) for X ~ Binomial(n, p) as the exact sum Σ_{j ≥ k} C(n, j) pʲ(1 − p)^{n−j} in log space (the
    /// audit's calibration tail; it agrees with `binomialSurvival(k − 1, …)` to ~1e-13 relative, and is kept
    /// separate so that the audit's p-values keep their bits).
    public static func binomialUpperTail(_ k: Int, _ n: Int, _ p: Double) -> Double {
        guard k > 0 else { return 1 }
        guard k <= n else { return 0 }
        var total = 0.0
        for j in k...n {
            total += exp(
                lgamma(Double(n + 1)) - lgamma(Double(j + 1)) - lgamma(Double(n - j + 1)) + Double(j) * log(p)
                    + Double(n - j) * log1p(-p))
        }
        return min(1, total)
    }

    /// Beta(a, b) quantile (Clopper–Pearson bounds). GSL's `gsl_cdf_beta_Pinv` returns NaN for some
    /// arguments (its Newton iteration fails, e.g. p = 1 − 5e-7 with a = 4, b = 3997, or 6 of the 1000 95 %
    /// bounds at n = 1000); there the CDF, which is monotone, is bisected instead (100 halvings of [0, 1]).
    public static func betaQuantile(_ p: Double, a: Double, b: Double) -> Double {
        _ = once
        let x = gsl_cdf_beta_Pinv(p, a, b)
        if x.isFinite && x >= 0 && x <= 1 { return x }
        var lo = 0.0
        var hi = 1.0
        for _ in 0..<100 {
            let mid = (lo + hi) / 2
            if gsl_cdf_beta_P(mid, a, b) < p { lo = mid } else { hi = mid }
        }
        return (lo + hi) / 2
    }

    /// Noncentral χ² survival via its Poisson mixture of central χ² laws (power of the χ² mean test).
    public static func noncentralChiSquaredSurvival(_ x: Double, dof: Double, noncentrality lambda: Double) -> Double {
        _ = once
        guard lambda > 0 else { return chiSquaredSurvival(x, dof: dof) }
        // Σ_j Pois(j; λ/2) · Q_{χ²(k+2j)}(x), summed around the Poisson mode until the weights vanish.
        let half = lambda / 2
        let mode = Int(half)
        var total = 0.0
        for direction in [1, -1] {
            var j = direction == 1 ? mode : mode - 1
            while j >= 0 {
                let logw = -half + Double(j) * log(half) - gsl_sf_lngamma(Double(j) + 1)
                let w = exp(logw)
                total += w * gsl_cdf_chisq_Q(x, dof + 2 * Double(j))
                if w < 1e-17 && abs(j - mode) > 10 { break }
                j += direction
            }
        }
        return min(1, total)
    }
}
