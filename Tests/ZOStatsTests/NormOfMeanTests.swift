import Testing
import ZOCore
import ZOStats

/// `MeanChecks.normOfMean` (Proofs/statistics.md#norm-of-mean): coverage of its 95 % interval by
/// simulation, the noise correction against the plain ‖x̄‖, and NaN for unusable input.
@Suite struct NormOfMeanTests {
    /// n draws of μ + diag(σ)ξ, ξ ~ N(0, I₁₆): the noise tr Σ/n is comparable with ‖μ‖².
    func draws(_ n: Int, mean: [Double], key: PRNGKey) -> [[Double]] {
        (0..<n).map { i in
            let xi = RandomFill.gaussian(Double.self, count: mean.count, key: key.fold(in: i))
            return mean.indices.map { mean[$0] + (1 + 0.1 * Double($0)) * xi[$0] }
        }
    }

    /// n = 400, d = 16, ‖μ‖ = 0.5 (tr Σ/n ≈ 0.13, so the plain ‖x̄‖ ≈ 0.62 overshoots by 24 %), 2000 data
    /// sets (seed 31): the 95 % interval covers ‖μ‖ at a rate consistent with [0.94, 0.985] (CP at
    /// confidence 1 − 1e-6; a numpy simulation of the same design gives 0.968). The planted fault, the
    /// plain ‖x̄‖ without "− tr Σ̂/n", covers ≈ 0.88 (same simulation): it must fall below 0.93.
    @Test func intervalCoversTheNormOfTheMean() {
        let mean: [Double] = (0..<16).map { (j: Int) -> Double in
            let a = Double(j % 4) - 1.5
            let b = 1 + Double(j / 4)
            return 0.5 * a * b / 12.247448713915889
        }
        let truth = mean.reduce(0.0) { $0 + $1 * $1 }.squareRoot()
        var covered = 0
        var plainCovered = 0
        let reps = 2000
        for r in 0..<reps {
            let x = draws(400, mean: mean, key: PRNGKey(seed: 31).fold(in: r))
            let s = MeanChecks.normOfMean(x)
            let width: Double = 1.959963984540054 * s.standardError
            if abs(s.norm - truth) <= width { covered += 1 }
            let m: [Double] = (0..<16).map { (j: Int) -> Double in x.reduce(0.0) { $0 + $1[j] } / 400 }
            let plain: Double = m.reduce(0.0) { $0 + $1 * $1 }.squareRoot()
            let halfWidth: Double = 1.959963984540054 * s.standardError
            if abs(plain - truth) <= halfWidth { plainCovered += 1 }
        }
        let (lo, hi) = Multiplicity.clopperPearson(successes: covered, trials: reps, confidence: 1 - 1e-6)
        #expect(lo <= 0.985 && hi >= 0.94, "coverage \(covered)/\(reps), CP [\(lo), \(hi)] (seed 31)")
        #expect(Double(plainCovered) < 0.93 * Double(reps), "the uncorrected norm covered \(plainCovered)/\(reps) (seed 31)")
        #expect(abs(truth - 0.5) < 1e-12, "the test's mean has ‖μ‖ = \(truth)")
    }

    @Test func unusableInputGivesNaN() {
        #expect(MeanChecks.normOfMean([]).norm.isNaN)
        #expect(MeanChecks.normOfMean([[1, 2]]).norm.isNaN)
        #expect(MeanChecks.normOfMean([[1, .nan], [1, 2]]).standardError.isNaN)
        #expect(MeanChecks.normOfMean([[1, 2], [1]]).floor.isNaN)
    }
}
