extension MeanChecks {
    /// The norm ‖μ‖ of a vector mean μ = E X from n draws, without the noise term that inflates ‖x̄‖:
    /// E‖x̄‖² = ‖μ‖² + tr Σ/n, so ‖μ‖ is estimated by √max(‖x̄‖² − tr Σ̂/n, 0). Its standard error is
    /// √v/(2‖μ̂‖) with v = max(4x̄ᵀΣ̂x̄/n − 2‖Σ̂‖²_F/n², 2‖Σ̂‖²_F/n²), the variance of ‖x̄‖² − tr Σ̂/n for
    /// Gaussian x̄ with x̄ᵀΣ̂x̄ corrected for its own noise (+∞ when the estimate is 0); `floor` = √(tr Σ̂/n)
    /// is the norm a zero mean would show (a value near its floor is not resolved).
    /// Proofs/statistics.md#norm-of-mean. NaN everywhere for fewer than 2 samples or non-finite data.
    public static func normOfMean(_ samples: [[Double]]) -> (norm: Double, standardError: Double, floor: Double) {
        guard let dim = samples.first?.count, samples.count > 1,
            samples.allSatisfy({ $0.count == dim && $0.allSatisfy(\.isFinite) })
        else { return (.nan, .nan, .nan) }
        let n = Double(samples.count)
        var mean = [Double](repeating: 0, count: dim)
        for x in samples { for i in 0..<dim { mean[i] += x[i] / n } }
        var cov = [Double](repeating: 0, count: dim * dim)  // Σ̂, upper triangle accumulated
        var r = [Double](repeating: 0, count: dim)
        for x in samples {
            for i in 0..<dim { r[i] = x[i] - mean[i] }
            for i in 0..<dim where r[i] != 0 {
                for j in i..<dim { cov[i * dim + j] += r[i] * r[j] }
            }
        }
        var trace = 0.0
        var frobenius2 = 0.0
        var quad = 0.0
        for i in 0..<dim {
            for j in i..<dim {
                let s = cov[i * dim + j] / (n - 1)
                let weight = i == j ? 1.0 : 2.0
                if i == j { trace += s }
                frobenius2 += weight * s * s
                quad += weight * mean[i] * s * mean[j]
            }
        }
        let norm = max(mean.reduce(0.0) { $0 + $1 * $1 } - trace / n, 0).squareRoot()
        let floorVariance = 2 * frobenius2 / (n * n)
        let v = max(4 * quad / n - floorVariance, floorVariance)
        return (norm, norm > 0 ? v.squareRoot() / (2 * norm) : .infinity, (trace / n).squareRoot())
    }
}
