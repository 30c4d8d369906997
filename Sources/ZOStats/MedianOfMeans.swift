import Foundation

/// Median of means: a mean test that needs only a bound σ² on the variance, not light tails
/// (ĝ's squared norm has heavy tails: it is a product of χ² variables). Proofs/statistics.md §MoM.
///
/// Split n samples into k contiguous blocks of m = ⌊n/k⌋; each block mean is within 2σ/√m of μ with
/// probability ≥ 3/4 (Chebyshev); the median fails only if ≥ k/2 blocks fail, probability
/// ≤ exp(−2k(1/4)²) = e^{−k/8} (Hoeffding). So k = ⌈8 ln(1/α)⌉ gives false-fail rate ≤ α at
/// threshold 2σ√(k/n)·√(n/(km))… = 2σ/√m.
public enum MedianOfMeans {
    public static func blocks(alpha: Double) -> Int { max(1, Int((8 * (1 / alpha).logNormalized()).rounded(.up))) }

    public static func threshold(n: Int, sigma: Double, blocks k: Int) -> Double {
        let m = max(1, n / k)
        return 2 * sigma / Double(m).squareRoot()
    }

    public static func estimate(_ values: [Double], blocks k: Int) -> Double {
        let m = max(1, values.count / k)
        var means: [Double] = []
        for b in 0..<k where (b + 1) * m <= values.count {
            var s = 0.0
            for i in (b * m)..<((b + 1) * m) { s += values[i] }
            means.append(s / Double(m))
        }
        means.sort()
        guard !means.isEmpty else { return .nan }
        let c = means.count
        return c % 2 == 1 ? means[c / 2] : (means[c / 2 - 1] + means[c / 2]) / 2
    }

    /// Fails when |MoM − target| exceeds 2σ/√m. The reported p-value is the distribution-free bound
    /// P(|MoM − μ| ≥ t) ≤ exp(−2k(½ − q)²), q = σ²/(m t²) < ½, at the observed deviation t.
    public static func test(
        _ values: [Double], target: Double, sigmaBound sigma: Double, alpha: Double,
        required: Double? = nil, name: String = "median of means"
    ) -> Verdict {
        let k = blocks(alpha: alpha)
        let n = values.count
        guard n >= k else {
            return Verdict(
                check: name, statistic: .nan, pValue: 1, n: n, alpha: alpha, detectableEffect: .infinity,
                outcome: .inconclusive, details: "needs n ≥ k = \(k) samples")
        }
        let mom = estimate(values, blocks: k)
        let t = abs(mom - target)
        let m = Double(n / k)
        let q = t > 0 ? sigma * sigma / (m * t * t) : .infinity
        let p = q < 0.5 ? min(1, exp(-2 * Double(k) * (0.5 - q) * (0.5 - q))) : 1
        let limit = threshold(n: n, sigma: sigma, blocks: k)
        let detectable = 2 * limit
        let outcome: Outcome = t > limit ? .fail : (required.map { detectable > $0 } ?? false) ? .inconclusive : .pass
        return Verdict(
            check: name, statistic: mom, pValue: p, n: n, alpha: alpha, detectableEffect: detectable,
            outcome: outcome, details: "MoM \(mom) vs \(target), threshold \(limit), k = \(k) blocks")
    }
}

extension Double {
    func logNormalized() -> Double { Foundation.log(self) }
}
