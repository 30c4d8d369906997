import Testing
import ZOCore
import ZOStats

/// The noncentral t survival function against scipy.stats.nct.sf (SciPy 1.x, Boost's implementation),
/// and the t-test's design at small n by simulation.
@Suite struct NoncentralTTests {
    /// Reference values: `scipy.stats.nct.sf(x, df, nc)` printed to 16 digits.
    @Test(arguments: [
        (2.0, 7.0, 1.5, 0.3531992149958466), (5.0, 3.0, 2.0, 0.11094793256172278),
        (-1.0, 1.0, 0.5, 0.8690741266082662), (3.0, 100.0, 3.0, 0.5029654875011134),
    ])
    func survivalMatchesSciPy(x: Double, dof: Double, lambda: Double, expected: Double) {
        let value = Dist.noncentralTSurvival(x, dof: dof, noncentrality: lambda)
        #expect(abs(value - expected) < 1e-6, "nct.sf(\(x), \(dof), \(lambda)) = \(value), SciPy \(expected)")
        // λ = 0 is the central t.
        #expect(abs(Dist.noncentralTSurvival(x, dof: dof, noncentrality: 0) - Dist.tSurvival(x, dof: dof)) < 1e-7)
    }

    /// n = 8 Gaussian values, α = 0.01, two-sided: 4000 simulated data sets shifted by
    /// meanDetectable(n: 8, σ: 1) are rejected at a rate consistent with 0.95 (Clopper–Pearson at
    /// confidence 1 − 1e-6, so this test false-fails with probability ≤ 1e-6). The normal formula's δ
    /// had power 0.74 here. Seed 12.
    @Test func smallSampleDesignHasItsPower() {
        let (n, reps, alpha) = (8, 4000, 0.01)
        let effect = Design.meanDetectable(n: n, sigma: 1, alpha: alpha)
        var rejects = 0
        for r in 0..<reps {
            let x = RandomFill.gaussian(Double.self, count: n, key: PRNGKey(seed: 12).fold(in: r)).map { $0 + effect }
            if MeanChecks.scalarMean(x, target: 0, alpha: alpha).outcome == .fail { rejects += 1 }
        }
        let (lo, hi) = Multiplicity.clopperPearson(successes: rejects, trials: reps, confidence: 1 - 1e-6)
        #expect(lo <= defaultPower && defaultPower <= hi, "\(rejects)/\(reps) rejections at δ = \(effect); seed 12")
        // Round trip: the n needed for that effect is n.
        #expect(Design.meanSamplesNeeded(effect: effect * 1.0001, sigma: 1, alpha: alpha) == n)
    }
}
