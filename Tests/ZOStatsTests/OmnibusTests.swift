import Testing
import ZOCore
import ZOStats

/// `MeanChecks.omnibusMean`: size and any-direction power by simulation on samples in a subspace,
/// the exact null-space comparison, and agreement with Hotelling on full-rank data
/// (Proofs/statistics.md#omnibus). Rates are compared with Clopper–Pearson intervals at confidence
/// 1 − 1e-6, so each rate check false-fails with probability ≤ 1e-6.
@Suite struct OmnibusTests {
    /// n samples μ + B·ξ with ξ ~ N(0, I₃) and B an 8×3 embedding (rows 3…7 of B are zero except row 5),
    /// so the samples span a 3-dimensional support with a 5-dimensional null space.
    func subspaceSamples(n: Int, mean: [Double], key: PRNGKey) -> [[Double]] {
        (0..<n).map { i in
            let xi = RandomFill.gaussian(Double.self, count: 3, key: key.fold(in: i))
            var x = mean
            x[0] += 2 * xi[0]
            x[1] += xi[0] - xi[1]
            x[2] += 0.5 * xi[2]
            x[5] += xi[1] + xi[2]
            return x
        }
    }

    let mean: [Double] = [1, -2, 0.5, 0, 0, 3, 0, 0]

    /// α = 0.05, n = 200, 2000 data sets (seed 21): rejection rate consistent with α; then a bias of the
    /// reported any-direction detectable norm along u = (2, 1, 0, …)/√5, a support direction of variance
    /// 5.2 near λ_max ≈ 5.3 of BBᵀ (the hardest kind; the bound uses √λ_max, so power ≥ 0.95 in every
    /// direction): the rejection rate is not significantly below 0.95.
    @Test func sizeAndAnyDirectionPower() {
        let (n, reps, alpha) = (200, 2000, 0.05)
        var nullRejects = 0
        var altRejects = 0
        let scale = 1.0
        let probe = MeanChecks.omnibusMean(
            subspaceSamples(n: n, mean: mean, key: PRNGKey(seed: 20)), target: mean, alpha: alpha, scale: scale)
        // The probe's reported bound (from one sample's λ_max; ×1.05 for its sampling error).
        let norm = probe.detectableEffect * 1.05
        let direction: [Double] = [2, 1, 0, 0, 0, 0, 0, 0].map { $0 / 5.0.squareRoot() }
        for r in 0..<reps {
            let x = subspaceSamples(n: n, mean: mean, key: PRNGKey(seed: 21).fold(in: r))
            if MeanChecks.omnibusMean(x, target: mean, alpha: alpha, scale: scale).outcome == .fail { nullRejects += 1 }
            let shifted = x.map { zip($0, direction).map { $0 + norm * $1 } }
            if MeanChecks.omnibusMean(shifted, target: mean, alpha: alpha, scale: scale).outcome == .fail {
                altRejects += 1
            }
        }
        let (lo, hi) = Multiplicity.clopperPearson(successes: nullRejects, trials: reps, confidence: 1 - 1e-6)
        #expect(lo <= alpha && alpha <= hi, "size: \(nullRejects)/\(reps); seed 21")
        let (_, altHi) = Multiplicity.clopperPearson(successes: altRejects, trials: reps, confidence: 1 - 1e-6)
        #expect(altHi >= defaultPower, "power at ‖b‖ = \(norm): \(altRejects)/\(reps); seed 21")
        #expect(probe.details.contains("support of dimension 3 of 8"), "\(probe.details)")
    }

    /// A bias in the null space (where every sample agrees) fails exactly, however small; NaN data fail.
    @Test func nullSpaceBiasFailsExactly() {
        let x = subspaceSamples(n: 100, mean: mean, key: PRNGKey(seed: 22))
        var target = mean
        target[7] += 1e-6
        let v = MeanChecks.omnibusMean(x, target: target, alpha: 1e-3, scale: 1)
        #expect(v.outcome == .fail && v.pValue == 0, "\(v)")
        #expect(v.details.contains("no spread in 5 of 8 directions"), "\(v.details)")
        var poisoned = x
        poisoned[3][2] = .nan
        #expect(MeanChecks.omnibusMean(poisoned, target: mean, alpha: 1e-3, scale: 1).outcome == .fail)
    }

    /// Full-rank data: the omnibus statistic is Hotelling's T² (same value to 1e-9 relative). Seed 23.
    @Test func fullRankEqualsHotelling() {
        let x = (0..<300).map { RandomFill.gaussian(Double.self, count: 5, key: PRNGKey(seed: 23).fold(in: $0)) }
        let target = [0.1, 0, 0, -0.05, 0]
        let omnibus = MeanChecks.omnibusMean(x, target: target, alpha: 1e-3, scale: 1)
        let hotelling = MeanChecks.hotelling(x, target: target, alpha: 1e-3)
        #expect(
            abs(omnibus.statistic - hotelling.statistic) <= 1e-9 * hotelling.statistic, "\(omnibus) vs \(hotelling)")
        #expect(abs(omnibus.pValue - hotelling.pValue) <= 1e-9, "\(omnibus.pValue) vs \(hotelling.pValue)")
    }
}
