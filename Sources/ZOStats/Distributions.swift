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

    public static func tSurvival(_ x: Double, dof: Double) -> Double {
        _ = once
        return gsl_cdf_tdist_Q(x, dof)
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

    /// Beta(a, b) quantile (Clopper–Pearson bounds).
    public static func betaQuantile(_ p: Double, a: Double, b: Double) -> Double {
        _ = once
        return gsl_cdf_beta_Pinv(p, a, b)
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
