import Foundation
import Testing
import ZOCore
import ZOProblems

/// The exact expected ZO-SGD trajectory on LeastSquares (Proofs/rates.md#expected-trajectory): the
/// closed form on H = I, the untouched coordinates of a mask, and Monte Carlo agreement of the real
/// estimator and optimizer with the recursion.
@Suite struct LeastSquaresExpectedTrajectoryTests {
    /// H = I, η = 1/(d+2): E f_t − f* = q^t (f₀ − f*) with q = 1 − 1/(d+2) (ZO-SGD-RATE's proof).
    @Test func identityHessianIsGeometric() throws {
        let d = 10
        let f = try LeastSquares<Double>(dimension: d, key: PRNGKey(seed: 3))
        let start = f.initialPoint()
        let f0 = try f.loss(start)
        let path = try f.expectedZOSGDTrajectory(from: start, learningRate: 1 / Double(d + 2), steps: 50)
        let q = 1 - 1 / Double(d + 2)
        for t in [0, 1, 7, 50] {
            #expect(abs(path.suboptimality[t] / (f0 * pow(q, Double(t))) - 1) < 1e-12, "t = \(t)")
            #expect(abs(path.squaredGradient[t] - 2 * path.suboptimality[t]) < 1e-12 * f0, "t = \(t)")
        }
    }

    /// Coordinates outside the mask never move: their share of E f stays e₀ᵢ²hᵢ/2 at every step.
    @Test func maskedCoordinatesStayPut() throws {
        let d = 8
        let f = try LeastSquares<Double>(dimension: d, spectrum: .powerLaw(exponent: 1), key: PRNGKey(seed: 4))
        let start = f.initialPoint()
        let mask = (0..<d).map { $0 % 2 == 0 }
        let path = try f.expectedZOSGDTrajectory(from: start, learningRate: 0.05, steps: 30, mask: mask)
        let frozen = (0..<d).filter { !mask[$0] }.reduce(0.0) { s, i in
            let e = start.values[i] - f.center[i]
            return s + 0.5 * f.eigenvalues[i] * e * e
        }
        #expect(path.suboptimality.allSatisfy { $0 >= frozen * (1 - 1e-12) })
        #expect(abs(path.suboptimality[30] - frozen) < abs(path.suboptimality[0] - frozen))
    }

    @Test func rejectsBadInput() throws {
        let f = try LeastSquares<Double>(dimension: 4, key: PRNGKey(seed: 5))
        #expect(throws: ZOError.self) { try f.expectedZOSGDTrajectory(from: f.initialPoint(), learningRate: 0, steps: 3) }
        #expect(throws: ZOError.self) {
            try f.expectedZOSGDTrajectory(from: f.initialPoint(), learningRate: 0.1, steps: 3, mask: [true])
        }
    }

    /// Monte Carlo: n = 20000 independent ZO-SGD runs (ZOEstimator + ZOSGD, the library's own code)
    /// of T = 12 steps on d = 6; the mean of ‖m⊙∇f(θ_T)‖² and of the T-step average must equal the
    /// recursion. Two-sided z-tests at α = 1e-6 each (critical |z| = 4.892); the printed relative
    /// detectable effect is (4.892 + 1.645)·SE/value (power 0.95). Seeded; the seed is in the message.
    @Test(arguments: [false, true])
    func monteCarloAgreesWithTheRecursion(masked: Bool) throws {
        let seed: UInt64 = 61
        let (d, steps, runs) = (6, 12, 20_000)
        let f = try LeastSquares<Double>(dimension: d, spectrum: .powerLaw(exponent: 1), key: PRNGKey(seed: seed))
        let start = f.initialPoint()
        let eta = 1 / (Double(d + 2) * (f.smoothness ?? 1))
        let mask = masked ? (0..<d).map { SparseMeZO.mask(for: start, sparsity: 0.5).isKept(tensor: 0, $0) } : nil
        let exact = try f.expectedZOSGDTrajectory(from: start, learningRate: eta, steps: steps, mask: mask)
        let (last, averages) =
            masked
            ? try Self.simulate(f, try SparseMeZO(sparsity: 0.5, fixedMaskFrom: start), eta, steps, runs, seed, mask)
            : try Self.simulate(f, GaussianRGE(), eta, steps, runs, seed, mask)
        let expected = [exact.maskedSquaredGradient[steps],
                        ExpectedZOSGDTrajectory.average(exact.maskedSquaredGradient, first: steps + 1)]
        for (values, target, name) in [(last, expected[0], "E‖m⊙∇f_T‖²"), (averages, expected[1], "average")] {
            let n = Double(values.count)
            let mean = values.reduce(0, +) / n
            let sd = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)).squareRoot()
            let z = (mean - target) / (sd / n.squareRoot())
            let detectable = (4.892 + 1.645) * sd / n.squareRoot() / target
            #expect(abs(z) < 4.892, """
                \(name) masked=\(masked): MC \(mean) vs exact \(target), z = \(z) (α = 1e-6, detects \
                \(detectable) relative), seed \(seed), n = \(runs)
                """)
        }
    }

    /// `runs` independent ZO-SGD runs with the library's ZOEstimator + ZOSGD; returns ‖m⊙∇f(θ_T)‖² and
    /// the T-step average of ‖m⊙∇f(θ_t)‖² per run.
    private static func simulate<D: PerturbationDistribution>(
        _ f: LeastSquares<Double>, _ distribution: D, _ eta: Double, _ steps: Int, _ runs: Int, _ seed: UInt64,
        _ mask: [Bool]?
    ) throws -> ([Double], [Double]) {
        let d = f.dimension
        let estimator = try ZOEstimator(distribution, epsilon: 1e-3)
        let sgd = try ZOSGD(learningRate: eta)
        var last: [Double] = [], averages: [Double] = []
        for run in 0..<runs {
            var theta = f.initialPoint()
            var total = 0.0
            let key = PRNGKey(seed: seed).fold(in: run)
            for t in 0...steps {
                let g = try f.gradient(theta)
                let mg2 = (0..<d).reduce(0.0) { mask?[$1] == false ? $0 : $0 + g[$1] * g[$1] }
                total += mg2
                if t == steps { last.append(mg2); break }
                let e = try estimator.measure(f, at: theta, step: t, key: key)
                try sgd.update(&theta, estimate: e, estimator: estimator)
            }
            averages.append(total / Double(steps + 1))
        }
        return (last, averages)
    }
}
