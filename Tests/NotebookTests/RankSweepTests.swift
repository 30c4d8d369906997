import Foundation
import Testing
import ZOCheck
import ZONotebooks
import ZOReports

@Suite struct RankSweepTests {
    /// The tiny run's theory columns are the formulas of Proofs/estimators.md, and its MeZO row is exactly
    /// what EstimatorComparison gives under the same key.
    @Test func tinyRunMatchesTheLibrary() throws {
        let out = try SyntheticNotebookRun.run(RankSweep.self)
        defer { out.cleanUp() }
        for file in [
            "report.md", "report.html", "report.json", "data/rank_sweep.csv", "plots/lozo_against_formulas.gp",
        ] {
            #expect(out.exists(file), "missing \(file)")
        }
        let d = try out.dataset("rank_sweep")
        let names = out.text(d, "estimator")
        let r = out.column(d, "r")
        let theory = out.column(d, "theory")
        let (m, n) = (8.0, 6.0)
        for i in names.indices where names[i] == "LOZO" {
            #expect(abs(theory[i] - (m * n + 2 + 2 * (m + n + 1) / r[i])) <= 1e-12)
            #expect(abs(out.column(d, "circulating")[i] - (m * n + 2 * (m + n + 2) / r[i])) <= 1e-12)
        }
        for i in names.indices where names[i] == "SubZero" {
            #expect(abs(theory[i] - m * n * (1 + 2 / (r[i] * r[i]))) <= 1e-12)
        }
        let key = PRNGKey(seed: SyntheticNotebookRun.seed)
        let problem = try RankSweep.problem(key)
        let mezo = try EstimatorComparison.run(
            problem, at: problem.initialPoint(), estimators: [ZOEstimator(GaussianRGE(), epsilon: 1e-3)],
            draws: 300, key: key.fold(in: 9))[0]
        let mezoIndex = try #require(names.firstIndex(of: "MeZO"))
        #expect(out.column(d, "second_moment")[mezoIndex] == mezo.secondMomentRatio)
        #expect(out.column(d, "cosine")[mezoIndex] == mezo.cosineMean)
        let circulating = try #require(
            out.report.verdicts.first { $0.claim.hasPrefix("LOZO-SECOND-MOMENT-CIRCULATING") })
        #expect(circulating.expected == "refuted" && circulating.alpha == 0.001)
        #expect(out.report.verdicts.contains { $0.claim.hasPrefix("SUBZERO-SECOND-MOMENT") })
    }

    /// Cosine formulas: e_k(k) = 1 (the whole space), c_k·√k → √(2/π), and SubZero at r = 1 is c₁·e_m(1)·e_n(1) = c_m·c_n.
    @Test func cosineFormulas() {
        #expect(abs(RankSweep.projectedNorm(k: 7, r: 7) - 1) <= 1e-12)
        #expect(abs(RankSweep.mezoCosine(k: 1) - 1) <= 1e-12)
        #expect(abs(RankSweep.mezoCosine(k: 10_000) * 100 - (2 / Double.pi).squareRoot()) <= 1e-4)
        #expect(abs(RankSweep.subZeroCosine(r: 1) - RankSweep.mezoCosine(k: 8) * RankSweep.mezoCosine(k: 6)) <= 1e-12)
    }
}
