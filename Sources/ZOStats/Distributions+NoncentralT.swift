import Foundation

extension Dist {
    /// P(T > x) for the noncentral t with ν degrees of freedom and noncentrality λ, T = (Z + λ)/√(V/ν),
    /// Z ~ N(0, 1) independent of V ~ χ²_ν. Conditioning on W = √V (a χ_ν variable):
    /// P(T > x) = ∫ Q(x·w/√ν − λ) f_χν(w) dw, f_χν(w) = w^{ν−1} e^{−w²/2} / (2^{ν/2−1} Γ(ν/2)),
    /// by composite Simpson on 800 intervals over w ∈ [max(0, √ν − 12), √ν + 12] (the χ_ν density is
    /// below e^{−60} outside). Proofs/statistics.md#design-t; checked against scipy's `nct` in
    /// `NoncentralTTests`.
    public static func noncentralTSurvival(_ x: Double, dof nu: Double, noncentrality lambda: Double) -> Double {
        let centre = nu.squareRoot()
        let lo = max(0, centre - 12)
        let hi = centre + 12
        let intervals = 800
        let h = (hi - lo) / Double(intervals)
        let logNorm = (nu / 2 - 1) * log(2.0) + lgamma(nu / 2)
        func integrand(_ w: Double) -> Double {
            guard w > 0 else { return nu == 1 ? normalSurvival(-lambda) * exp(-logNorm) : 0 }
            let density = exp((nu - 1) * log(w) - w * w / 2 - logNorm)
            return normalSurvival(x * w / centre - lambda) * density
        }
        var sum = integrand(lo) + integrand(hi)
        for i in 1..<intervals { sum += (i % 2 == 1 ? 4 : 2) * integrand(lo + Double(i) * h) }
        return min(1, max(0, sum * h / 3))
    }

    /// The power of the level-α t-test at n values against a shift δ = λσ/√n: two-sided
    /// P(T > t_{α/2}) + P(T < −t_{α/2}), one-sided P(T > t_α), T noncentral t_{n−1}(λ).
    public static func tTestPower(noncentrality lambda: Double, n: Int, alpha: Double, twoSided: Bool) -> Double {
        let nu = Double(max(n - 1, 1))
        let c = tUpper(twoSided ? alpha / 2 : alpha, dof: nu)
        let upper = noncentralTSurvival(c, dof: nu, noncentrality: lambda)
        guard twoSided else { return upper }
        // P(T < −c) = P(−T > c), and −T is noncentral t with −λ.
        return min(1, upper + noncentralTSurvival(c, dof: nu, noncentrality: -lambda))
    }
}
