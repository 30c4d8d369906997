import Foundation
import Testing
import ZOCheck
import ZONotebooks
import ZOReports

/// Rademacher (±1) directions with declared exact moments (E zzᵀ = I, ‖z‖² = d: e = d, q = ‖G‖², A = d‖G‖²
/// per tensor) — a researcher's estimator as the notebooks receive it. `scale` plants a fault: the
/// estimate multiplied by `scale` while the declared moments stay those of scale 1 (a dropped ½ gives 2).
private struct ScaledRademacher: PerturbationDistribution, ExactMomentsProviding {
    let scale: Double
    var name: String { scale == 1 ? "rademacher" : "rademacher ×\(scale)" }

    struct Sample: Perturbation {
        let layout: ParameterLayout
        let key: PRNGKey
        let step: Int
        let scale: Double
        func fill<T: ZOScalar>(tensor t: Int, into buffer: UnsafeMutableBufferPointer<T>) {
            RandomFill.rademacher(buffer, key: PerturbationKey.key(key, role: .dense, index: step, tensor: t))
            if scale != 1 { for i in buffer.indices { buffer[i] *= T(scale.squareRoot()) } }
        }
    }

    func perturbation<T: ZOScalar>(step: Int, key: PRNGKey, parameters: Parameters<T>, use: PerturbationUse)
        throws(ZOError) -> Sample
    {
        Sample(layout: parameters.layout, key: key, step: step, scale: scale)
    }

    func tensorMoments<G: ZOScalar>(gradient g: [G], layout: ParameterLayout) -> [TensorMoments]? {
        layout.tensors.map { spec in
            let n2 = TensorMoments.blockNorm2(g, spec)
            let d = Double(spec.count)
            return TensorMoments(dimension: spec.count, gradientNorm2: n2, meanScale: 1, e: d, q: n2, a: d * n2, sq: n2)
        }
    }
}

/// The synthetic notebooks for registered estimators (ZOCheckExtensions, task-scoped so that other tests
/// running beside these see none): variance-vs-dimension, bias-vs-epsilon and convergence-rates at tiny
/// size, seed 11. The right estimator passes its theory; the planted fault (every perturbation ×√2, so ĝ
/// ×2 while the declared moments say ×1) fails it in both notebooks that test theory.
@Suite struct RegisteredNotebookTests {
    static let seed: UInt64 = 11

    static func extensions() throws -> ZOCheckExtensions {
        ZOCheckExtensions(estimators: [
            LabelledEstimator("Rademacher", try ZOEstimator(ScaledRademacher(scale: 1), epsilon: ZODefaults.epsilon)),
            LabelledEstimator("Rademacher ×2", try ZOEstimator(ScaledRademacher(scale: 2), epsilon: ZODefaults.epsilon)),
        ])
    }

    func run<N: Notebook>(_ notebook: N.Type) throws -> NotebookRun {
        try ZOCheckExtensions.withRegistered(try Self.extensions()) { try NotebookRun(N.self, seed: Self.seed) }
    }

    /// E‖ĝ‖²/‖∇f‖² = d for Rademacher on the k×k quadratic (theory from the declared moments): PASS; the ×2
    /// fault measures 4d against a declared d: FAIL. The built-ins are still there.
    @Test func varianceVsDimensionIncludesRegisteredEstimators() throws {
        let run = try run(VarianceVsDimension.self)
        defer { run.remove() }
        let data = try run.dataset("second_moment")
        for row in data.rows where row[0].text == "Rademacher" {
            #expect(data.number(row, "theory") == data.number(row, "d"), "Rademacher theory = d (seed 11)")
        }
        let verdicts = try run.document().report.verdicts
        let mine = try #require(verdicts.first { $0.claim.hasPrefix("Rademacher: ") })
        let fault = try #require(verdicts.first { $0.claim.hasPrefix("Rademacher ×2: ") })
        #expect(mine.outcome == "pass", "\(mine.detail) (seed 11)")
        #expect(fault.outcome == "fail", "\(fault.detail) (seed 11)")
        #expect(verdicts.contains { $0.claim.hasPrefix("MeZO: ") })
    }

    /// ZO-SGD at η = 1/(κL), κ = d from the declared moments: the per-cell exact E A = 2d(1 − q^T)/T holds
    /// for Rademacher (PASS); the ×2 fault does not converge at that step (A stays ≈ 2): FAIL.
    @Test func convergenceRatesIncludesRegisteredEstimators() throws {
        let run = try run(ConvergenceRates.self)
        defer { run.remove() }
        let runs = try run.dataset("registered_runs")
        let first = try #require(runs.rows.first { $0[0].text == "Rademacher" && $0[1].number == 8 })
        #expect(runs.number(first, "kappa") == 8)
        #expect(runs.number(first, "eta") == 1.0 / 8)
        let verdicts = try run.document().report.verdicts
        let mine = try #require(verdicts.first { $0.claim.hasPrefix("Rademacher: ZO-SGD") })
        let fault = try #require(verdicts.first { $0.claim.hasPrefix("Rademacher ×2: ZO-SGD") })
        #expect(mine.outcome == "pass", "\(mine.detail) (seed 11)")
        #expect(fault.outcome == "fail", "\(fault.detail) (seed 11)")
        #expect(verdicts.contains { $0.claim == "ZO-SGD-RATE" })
    }

    /// The registered bias rows: the ×2 fault's E ĝ = 2∇f is a bias of ‖∇f‖, resolved (p < 0.001 at every ε);
    /// the right estimator's bias at the smallest ε (O(ε²), below its noise) is not resolved.
    @Test func biasVsEpsilonIncludesRegisteredEstimators() throws {
        let run = try run(BiasVsEpsilon.self)
        defer { run.remove() }
        let data = try run.dataset("registered_bias")
        let fault = data.filtered("estimator", equals: "Rademacher ×2")
        #expect(fault.rows.count == 2 * BiasVsEpsilon.epsilons(.tiny).count)
        for p in fault.numbers("p_gradient") { #expect((p ?? 1) < 0.001, "seed 11") }
        let mine = data.filtered("estimator", equals: "Rademacher")
        let smallest = try #require(mine.rows.first { $0[2].number == BiasVsEpsilon.epsilons(.tiny)[0] })
        #expect(data.number(smallest, "p_gradient") > 0.001, "seed 11")
        #expect(try run.document().report.figures.contains { $0.name == "registered_bias_vs_epsilon" })
    }
}
