import Foundation
import Testing
import ZOCore
import ZOStats

/// The assertions' false-fail rates and the design functions' power, checked by simulation.
/// Each simulation counts rejections in R replicates and compares the count with a Clopper–Pearson
/// interval at confidence 1 − 1e-6, so these tests themselves false-fail with probability ≤ 1e-6 each.
@Suite struct DesignTests {
    static let confidence = 1 - 1e-6

    func gaussians(_ n: Int, _ key: PRNGKey) -> [Double] { RandomFill.gaussian(Double.self, count: n, key: key) }

    /// Rejection fraction over `reps` replicates is consistent with `rate` (two-sided CP interval).
    func expectRate(_ rejections: Int, _ reps: Int, consistentWith rate: Double, _ label: String) {
        let (lo, hi) = Multiplicity.clopperPearson(successes: rejections, trials: reps, confidence: Self.confidence)
        #expect(
            lo <= rate && rate <= hi, "\(label): \(rejections)/\(reps) rejections; CP [\(lo), \(hi)] excludes \(rate)")
    }

    @Test func scalarMeanHasItsSizeAndPower() {
        let reps = 4000
        let n = 400
        let alpha = 0.05
        var nullRejects = 0
        var altRejects = 0
        let effect = Design.meanDetectable(n: n, sigma: 1, alpha: alpha)
        for r in 0..<reps {
            let x = gaussians(n, PRNGKey(seed: 10).fold(in: r))
            if MeanChecks.scalarMean(x, target: 0, alpha: alpha).outcome == .fail { nullRejects += 1 }
            if MeanChecks.scalarMean(x.map { $0 + effect }, target: 0, alpha: alpha).outcome == .fail {
                altRejects += 1
            }
        }
        expectRate(nullRejects, reps, consistentWith: alpha, "t-test size, seed 10")
        expectRate(altRejects, reps, consistentWith: defaultPower, "t-test power at the detectable effect, seed 10")
        // Design round trip: the n needed for that effect is n.
        #expect(abs(Design.meanSamplesNeeded(effect: effect, sigma: 1, alpha: alpha) - n) <= 1)
    }

    @Test func oneSidedMeanHasItsSize() {
        let reps = 4000
        let n = 200
        let alpha = 0.05
        var rejects = 0
        for r in 0..<reps
        where MeanChecks.scalarMean(gaussians(n, PRNGKey(seed: 11).fold(in: r)), target: 0, alpha: alpha, sides: .one)
            .outcome == .fail
        {
            rejects += 1
        }
        expectRate(rejects, reps, consistentWith: alpha, "one-sided size, seed 11")
    }

    @Test func chiSquaredAndHotellingHaveTheirSize() {
        let reps = 2000
        let n = 300
        let d = 5
        let alpha = 0.05
        var chi = 0
        var hot = 0
        var power = 0
        let delta = Design.chiSquaredDetectable(n: n, dimension: d, alpha: alpha)
        for r in 0..<reps {
            let flat = gaussians(n * d, PRNGKey(seed: 12).fold(in: r))
            let samples = (0..<n).map { Array(flat[($0 * d)..<($0 * d + d)]) }
            if MeanChecks.chiSquaredMean(
                samples, target: [Double](repeating: 0, count: d), alpha: alpha, applyInverseCovariance: { $0 }
            ).outcome == .fail {
                chi += 1
            }
            if MeanChecks.hotelling(samples, target: [Double](repeating: 0, count: d), alpha: alpha).outcome == .fail {
                hot += 1
            }
            // Shift along one axis by the detectable Mahalanobis distance.
            let shifted = samples.map { x in [x[0] + delta] + x.dropFirst() }
            if MeanChecks.chiSquaredMean(
                shifted, target: [Double](repeating: 0, count: d), alpha: alpha, applyInverseCovariance: { $0 }
            ).outcome == .fail {
                power += 1
            }
        }
        expectRate(chi, reps, consistentWith: alpha, "χ² size, seed 12")
        expectRate(hot, reps, consistentWith: alpha, "Hotelling size, seed 12")
        expectRate(power, reps, consistentWith: defaultPower, "χ² power at the detectable distance, seed 12")
    }

    /// Noncentral χ² survival against simulation of ‖z + μ‖² (30 000 draws, 5 SE).
    @Test func noncentralChiSquaredMatchesSimulation() {
        let d = 4
        let lambda = 6.0
        let x = 12.0
        let draws = 30_000
        let flat = gaussians(draws * d, PRNGKey(seed: 13))
        var hits = 0
        for i in 0..<draws {
            var s = 0.0
            for j in 0..<d {
                let v = flat[i * d + j] + (j == 0 ? lambda.squareRoot() : 0)
                s += v * v
            }
            if s > x { hits += 1 }
        }
        let p = Dist.noncentralChiSquaredSurvival(x, dof: Double(d), noncentrality: lambda)
        let se = (p * (1 - p) / Double(draws)).squareRoot()
        #expect(abs(Double(hits) / Double(draws) - p) <= 5 * se, "seed 13")
        #expect(
            abs(Dist.noncentralChiSquaredSurvival(x, dof: 3, noncentrality: 0) - Dist.chiSquaredSurvival(x, dof: 3))
                < 1e-15)
    }

    /// Median of means under heavy tails (Student t₃, variance 3): false-fail rate ≤ α, and a shift of
    /// the detectable size is caught with probability ≥ 1 − α.
    @Test func medianOfMeansBoundHolds() {
        let reps = 1000
        let n = 2000
        let alpha = 0.01
        let sigma = 3.0.squareRoot()
        var falseFails = 0
        var detections = 0
        let shift = Design.medianOfMeansDetectable(n: n, sigma: sigma, alpha: alpha)
        for r in 0..<reps {
            let key = PRNGKey(seed: 14).fold(in: r)
            let z = gaussians(n * 4, key)
            let t3 = (0..<n).map { i -> Double in
                let chi = (1...3).reduce(0.0) { $0 + z[i * 4 + $1] * z[i * 4 + $1] }
                return z[i * 4] / (chi / 3).squareRoot()
            }
            if MedianOfMeans.test(t3, target: 0, sigmaBound: sigma, alpha: alpha).outcome == .fail { falseFails += 1 }
            if MedianOfMeans.test(t3.map { $0 + shift }, target: 0, sigmaBound: sigma, alpha: alpha).outcome == .fail {
                detections += 1
            }
        }
        let (loFalse, _) = Multiplicity.clopperPearson(successes: falseFails, trials: reps, confidence: Self.confidence)
        #expect(loFalse <= alpha, "MoM false-fail rate \(falseFails)/\(reps) exceeds α = \(alpha), seed 14")
        let (_, hiDetect) = Multiplicity.clopperPearson(
            successes: detections, trials: reps, confidence: Self.confidence)
        #expect(
            hiDetect >= 1 - alpha, "MoM detection \(detections)/\(reps) below 1 − α at the detectable shift, seed 14")
    }

    @Test func holmClopperPearsonAndDKWM() {
        let h = Multiplicity.holm([0.01, 0.04, 0.03, 0.5], alpha: 0.05)
        #expect(zip(h.adjusted, [0.04, 0.09, 0.09, 0.5]).allSatisfy { abs($0 - $1) < 1e-15 })
        #expect(h.rejected == [true, false, false, false])
        let (lo, hi) = Multiplicity.clopperPearson(successes: 0, trials: 10)
        #expect(lo == 0 && abs(hi - (1 - pow(0.025, 0.1))) < 1e-12)
        let (lo2, hi2) = Multiplicity.clopperPearson(successes: 10, trials: 10)
        #expect(hi2 == 1 && abs(lo2 - pow(0.025, 0.1)) < 1e-12)
        let uniform = RandomFill.uniform(Double.self, count: 5000, key: PRNGKey(seed: 15))
        #expect(Multiplicity.uniformityByDKWM(uniform, alpha: 1e-6).outcome == .pass, "seed 15")
        #expect(Multiplicity.uniformityByDKWM(uniform.map { $0 * $0 }, alpha: 1e-6).outcome == .fail)
    }

    /// The scaling fit recovers a planted exponent and has its size when the theory is right.
    @Test func scalingFitHasItsSizeAndFindsAWrongExponent() throws {
        let x = [10.0, 30, 100, 300, 1000, 3000]
        let theory = x.map { 2 * $0 }
        let reps = 2000
        let alpha = 0.05
        var rejects = 0
        var wrong = 0
        for r in 0..<reps {
            let noise = gaussians(x.count, PRNGKey(seed: 16).fold(in: r))
            let se = theory.map { 0.03 * $0 }
            let measured = zip(theory, noise).map { $0 * (1 + 0.03 * $1) }
            if try Fits.scalingAgainstTheory(x: x, measured: measured, standardErrors: se, theory: theory, alpha: alpha)
                .0.outcome == .fail
            {
                rejects += 1
            }
            // A theory off by d versus d+2 at small d: V = 2(x + 2) measured against 2x.
            let shifted = zip(x, noise).map { 2 * ($0 + 2) * (1 + 0.03 * $1) }
            if try Fits.scalingAgainstTheory(x: x, measured: shifted, standardErrors: se, theory: theory, alpha: alpha)
                .0.outcome == .fail
            {
                wrong += 1
            }
        }
        expectRate(rejects, reps, consistentWith: alpha, "scaling-fit size, seed 16")
        #expect(Double(wrong) / Double(reps) > 0.5, "d vs d+2 at 3% noise must usually be caught: \(wrong)/\(reps)")
        let line = try Fits.weightedLine(x: [1, 2, 3, 4], y: [3, 5, 7, 9], variances: [1, 1, 1, 1])
        #expect(abs(line.slope - 2) < 1e-12 && abs(line.intercept - 1) < 1e-12)
        #expect(throws: StatsError.self) { try Fits.weightedLine(x: [1], y: [1], variances: [1]) }
    }

    @Test func jointCoefficientTestHasItsSize() throws {
        let reps = 2000
        let alpha = 0.05
        var rejects = 0
        let grid = [(1.0, 1.0), (1, 2), (1, 3), (2, 1), (2, 2), (2, 3), (3, 1), (3, 2), (3, 3)]
        for r in 0..<reps {
            let e = gaussians(grid.count, PRNGKey(seed: 17).fold(in: r))
            let y = grid.enumerated().map { 0.5 + 1.0 * $1.0 - 1.0 * $1.1 + 0.1 * e[$0] }
            let reg = try Fits.linearRegression(design: grid.map { [1, $0.0, $0.1] }, y: y)
            if try Fits.jointCoefficientTest(reg, indices: [1, 2], hypothesis: [1, -1], alpha: alpha).outcome == .fail {
                rejects += 1
            }
        }
        expectRate(rejects, reps, consistentWith: alpha, "joint F-test size, seed 17")
    }
}
