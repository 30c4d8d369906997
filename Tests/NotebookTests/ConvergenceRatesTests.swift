import Foundation
import Testing
import ZOCheck
import ZONotebooks
import ZOReports

/// The convergence-rates notebook at tiny size (seed 7): its numbers are the library's, recomputed here.
@Suite struct ConvergenceRatesTests {
    @Test func tinyReportMatchesTheLibrary() throws {
        let seed: UInt64 = 7
        let run = try Syn2NotebookRun(ConvergenceRates.self, seed: seed)
        defer { run.remove() }
        for file in [
            "report.md", "report.html", "report.json", "data/runs.csv", "data/cells.json", "data/slopes.json",
            "plots/avg_grad_vs_T.gp",
        ] {
            #expect(run.exists(file), "missing \(file)")
        }
        let runs = try run.dataset("runs")
        // ZO-SGD, d = 8 (index 0), T = 128 (index 0), seed 0: the same run recomputed from the same keys, bit for bit.
        let root = PRNGKey(seed: seed)
        let zoRow = try #require(
            runs.rows.first { $0[0].text == "ZO-SGD" && $0[1].number == 8 && $0[2].number == 128 && $0[3].number == 0 })
        let recomputed = try ConvergenceRates.averagedSquaredGradient(
            d: 8, steps: 128, problemKey: ConvergenceRates.problemKey(root, d: 0),
            key: ConvergenceRates.key(root, d: 0, t: 0, seed: 0))
        #expect(runs.number(zoRow, "A") == recomputed)
        #expect(abs(runs.number(zoRow, "exact") - ConvergenceRates.exactZO(d: 8, steps: 128)) < 1e-15)
        // FO-SGD at η = 1/L on H = I reaches θ* in one step: A = ‖∇f₀‖²/T = 2 f₀/T exactly (f₀ = 1).
        let foRow = try #require(
            runs.rows.first { $0[0].text == "FO-SGD η=1/L" && $0[1].number == 16 && $0[2].number == 256 })
        #expect(abs(runs.number(foRow, "A") - 2.0 / 256) < 1e-12)
        // Every ZO cell mean is within 50 % of the exact E A (4 runs; relative sd per run ≈ (d+2)^{-1/2} ≤ 0.32).
        let cells = try run.dataset("cells")
        for row in cells.rows where row[0].text == "ZO-SGD" {
            #expect(abs(cells.number(row, "mean") / cells.number(row, "exact") - 1) < 0.5)
            #expect(
                cells.number(row, "lower95") < cells.number(row, "mean")
                    && cells.number(row, "mean") < cells.number(row, "upper95"))
        }
        let doc = try run.document()
        let rate = try #require(doc.report.verdicts.first { $0.claim == "ZO-SGD-RATE" })
        #expect(rate.alpha == 0.001 && rate.pValue >= 0 && rate.pValue <= 1)
        #expect(doc.report.verdicts.contains { $0.claim.hasPrefix("ZO-SGD-BOUND") && $0.outcome == "pass" })
        let slope = try #require(doc.report.headlines.first { $0.name.hasPrefix("ZO-SGD slope in T") })
        #expect(slope.value < -0.7 && slope.value > -1.2, "slope in T \(slope.value)")
        #expect(doc.provenance.seed == seed)
    }
}
