import Foundation
import Testing
import ZOCheck
import ZONotebooks
import ZOReports

@Suite struct LazySamplingTests {
    /// The tiny run's LOZO ν = 1 row is recomputed block by block with the library, and its theory
    /// columns are LAZY-BLOCK-AVERAGE's formulas.
    @Test func tinyRunMatchesTheLibrary() throws {
        let out = try SyntheticNotebookRun.run(LazySampling.self)
        defer { out.cleanUp() }
        for file in [
            "report.md", "report.html", "report.json", "data/block_moments.json", "data/optimisation.csv",
            "plots/optimisation.gp",
        ] {
            #expect(out.exists(file), "missing \(file)")
        }
        let d = try out.dataset("block_moments")
        let names = out.text(d, "estimator")
        let nu = out.column(d, "nu")
        let key = PRNGKey(seed: SyntheticNotebookRun.seed)
        let problem = try LazySampling.problem(key)
        let theta = problem.initialPoint()
        let g = try problem.gradient(theta)
        let g2 = g.reduce(0) { $0 + $1 * $1 }
        let blocks = try (0..<60).map { b in
            try LazySampling.block(
                LOZO(rank: 2, lazyInterval: 1), problem: problem, at: theta, nu: 1,
                key: key.fold(in: 100).fold(in: 0).fold(in: b), g2: g2)
        }
        let row = try #require(names.indices.first { names[$0] == "LOZO" && nu[$0] == 1 })
        let expected = MeanChecks.Summary(blocks.map(\.perStep)).mean
        #expect(abs(out.column(d, "per_step")[row] - expected) <= 1e-12 * expected)
        for i in names.indices {
            let (moment, kappa) = LazySampling.theory(names[i])
            #expect(out.column(d, "per_step_theory")[i] == moment)
            #expect(
                abs(out.column(d, "average_theory")[i] - (moment / nu[i] + (nu[i] - 1) / nu[i] * kappa)) <= 1e-12
                    * moment)
        }
        #expect(LazySampling.theory("LOZO").kappa == 5.5 && LazySampling.theory("SubZero").kappa == 24)
        let claims = out.report.verdicts.map(\.claim)
        #expect(claims.contains { $0.hasPrefix("LOZO-CONDITIONAL-PROJECTION") })
        #expect(out.report.verdicts.filter { $0.expected == "refuted" }.count == 3)
        #expect(out.report.headlines.contains { $0.name.hasPrefix("final f − f*") })
    }

    /// Within a block ν > 1 the per-step values are identical in law to fresh ones, but the block
    /// shares V: two consecutive LOZO estimates of one block use the same V (bit-identical factor).
    @Test func blocksShareV() throws {
        let layout = try ParameterLayout.matrix(rows: 12, cols: 8)
        let theta = Parameters<Double>(zeros: layout)
        let lozo = try LOZO(rank: 2, lazyInterval: 4)
        let key = ZOEstimator<LOZO>.sampleKey(PRNGKey(seed: 5), sample: 0)
        let v0 = try lozo.perturbation(step: 0, key: key, parameters: theta, use: .measurement).lowRankFactors(
            tensor: 0)?.v
        let v3 = try lozo.perturbation(step: 3, key: key, parameters: theta, use: .measurement).lowRankFactors(
            tensor: 0)?.v
        let v4 = try lozo.perturbation(step: 4, key: key, parameters: theta, use: .measurement).lowRankFactors(
            tensor: 0)?.v
        #expect(v0 != nil && v0 == v3 && v0 != v4)
    }
}
