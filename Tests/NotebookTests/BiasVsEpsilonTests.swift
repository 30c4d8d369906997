import Foundation
import Testing
import ZOCheck
import ZONotebooks
import ZOReports

@Suite struct BiasVsEpsilonTests {
    /// The tiny run writes its report, and its numbers are the library's: the exact bias ‖∇f_ε − ∇f‖ from
    /// CosineSum itself, and the control-variate bias of the first cell recomputed from the same keyed draws.
    @Test func tinyRunMatchesTheLibrary() throws {
        let out = try SyntheticNotebookRun.run(BiasVsEpsilon.self)
        defer { out.cleanUp() }
        for file in [
            "report.md", "report.html", "report.json", "data/bias.csv", "data/coefficient_error.json",
            "plots/bias_vs_epsilon.gp",
        ] {
            #expect(out.exists(file), "missing \(file)")
        }
        let bias = try out.dataset("bias")
        let eps = BiasVsEpsilon.epsilons(.tiny)
        #expect(bias.rows.count == 2 * 2 * eps.count)
        let key = PRNGKey(seed: SyntheticNotebookRun.seed)
        let problem = try CosineSum<Double>(dimension: 16, key: key.fold(in: 1))
        let theta = problem.initialPoint()
        let g = try problem.gradient(theta)
        let theory = out.column(bias, "theory")
        for (i, e) in eps.enumerated() {
            let smoothed = try #require(problem.smoothedGradient(theta, epsilon: e))
            let exact = zip(smoothed, g).reduce(0.0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
            #expect(abs(theory[i] - exact) <= 1e-15 * exact, "theory at ε = \(e)")
        }
        // First cell: CosineSum, central, ε₀, 400 draws under key.fold(100).fold(0).fold(k).
        let estimator = try ZOEstimator(GaussianRGE(), epsilon: eps[0])
        var mean = [Double](repeating: 0, count: 16)
        var samples: [[Double]] = []
        for k in 0..<400 {
            let m = try estimator.measure(problem, at: theta, step: k, key: key.fold(in: 100).fold(in: 0).fold(in: k))
            let z: [Double] = m.samples[0].materialize()
            let a = m.coefficients[0] - zip(g, z).reduce(0.0) { $0 + $1.0 * $1.1 }
            samples.append(z.map { a * $0 })
        }
        for x in samples { for i in 0..<16 { mean[i] += x[i] / 400 } }
        var trace = 0.0
        for x in samples { for i in 0..<16 { trace += (x[i] - mean[i]) * (x[i] - mean[i]) } }
        let expected = (mean.reduce(0.0) { $0 + $1 * $1 } - trace / 399 / 400).squareRoot()
        let measured = out.column(bias, "bias")[0]
        #expect(abs(measured - expected) <= 1e-9 * expected, "control-variate bias \(measured) vs \(expected)")
        let claims = out.report.verdicts.map(\.claim)
        #expect(claims.contains("MEZO-SMOOTHED") && claims.contains("CENTRAL-COEFFICIENT-ORDER"))
        #expect(out.report.verdicts.contains { $0.claim.contains("E ĝ = ∇f_ε at every ε") && $0.alpha == 0.001 })
        #expect(out.report.headlines.contains { $0.name.contains("RMS coefficient error exponent") })
    }

    /// The logistic smoothing by quadrature: ε → 0 gives ∇f, and ∇f_ε − ∇f ≈ ε²·½∇Δf at small ε.
    @Test func logisticSmoothingLimits() throws {
        let p = try LogisticRegression<Double>(samples: 50, dimension: 5, key: PRNGKey(seed: 3))
        let theta = p.initialPoint()
        let s = LogisticSmoothing(p, at: theta.values)
        let g = try p.gradient(theta)
        for (a, b) in zip(s.smoothedGradient(epsilon: 0), g) { #expect(abs(a - b) <= 1e-12) }
        let eps = 0.01
        let lead = s.halfGradLaplacian()
        let bias = zip(s.smoothedGradient(epsilon: eps), g).map { $0 - $1 }
        let err = zip(bias, lead).map { $0 - eps * eps * $1 }.reduce(0.0) { $0 + $1 * $1 }.squareRoot()
        let size = lead.reduce(0.0) { $0 + $1 * $1 }.squareRoot() * eps * eps
        #expect(err <= 0.01 * size, "O(ε⁴) remainder \(err) vs ε² term \(size)")
    }

    /// CosineSum's exact coefficient error: the series and the direct form of φ agree where they meet, and
    /// a Monte Carlo average (10⁴ draws, 5-SE band, seed 9) agrees with the closed form.
    @Test func cosineCoefficientErrorClosedForm() throws {
        let below = 0.02 * (1 - 1e-9)
        let above = 0.02 * (1 + 1e-9)
        let b = [1.0]
        let s = [0.7]
        let k = [0.4]
        let f = { (x: Double) in
            BiasBed.cosineCoefficientError(s: s, k: k, b: b, epsilon: x.squareRoot(), scheme: .central)
        }
        #expect(abs(f(below) - f(above)) <= 1e-6 * f(above))
        let bed = try BiasBed.cosineSum(dimension: 4, key: PRNGKey(seed: 9))
        let exact = try #require(bed.coefficientErrorSquared)
        for scheme in [DifferenceScheme.central, .forward] {
            let values = try (0..<10_000).map { i -> Double in
                let (c, z) = try bed.measure(0.2, scheme, i, PRNGKey(seed: 9).fold(in: i))
                let e = c - zip(bed.gradient, z).reduce(0.0) { $0 + $1.0 * $1.1 }
                return e * e
            }
            let summary = MeanChecks.Summary(values)
            #expect(
                abs(summary.mean - exact(0.2, scheme)) <= 5 * summary.standardError,
                "\(scheme): \(summary.mean) vs \(exact(0.2, scheme))")
        }
    }
}
