import Foundation
import Testing
import ZOCheck
import ZONotebooks
import ZOReports

/// The calibration notebook at tiny size (seed 5): its rows are the audit's, recomputed here.
@Suite struct CalibrationTests {
    @Test func tinyReportMatchesTheAudit() throws {
        let seed: UInt64 = 5
        let run = try Syn2NotebookRun(Calibration.self, seed: seed)
        defer { run.remove() }
        for file in [
            "report.md", "report.html", "report.json", "data/false_fail_rates.csv", "data/p_values.json",
            "data/power.json",
            "plots/false_fail_rates.gp", "plots/p_value_ecdf.gp", "plots/power.gp",
        ] {
            #expect(run.exists(file), "missing \(file)")
        }
        let rates = try run.dataset("false_fail_rates")
        let first = try #require(rates.rows.first)
        let claim = try #require(Catalog.standard.claim(id: first[1].text ?? ""))
        // The same M runs through Audit.run: the same fails and interval.
        let audit = Audit.run(claim, runs: 12, root: seed, size: .ci, alpha: 0.05, jobs: 2)
        #expect(rates.number(first, "fails") == Double(audit.fails))
        #expect(rates.number(first, "lower95") == audit.lower95 && rates.number(first, "upper95") == audit.upper95)
        #expect(rates.number(first, "alpha") == 0.05 && rates.number(first, "runs") == 12)
        let pvalues = try run.dataset("p_values")
        #expect(pvalues.rows.count == 12 * rates.rows.count)
        #expect(
            pvalues.rows.allSatisfy {
                let p = pvalues.number($0, "p")
                return p >= 0 && p <= 1
            })
        // The dropped ½ doubles MeZO's estimate: MEZO-UNBIASED catches it in every run.
        let power = try run.dataset("power")
        let caught = try #require(power.rows.first { $0[1].text == PlantedFault.droppedHalf.rawValue })
        #expect(power.number(caught, "power") == 1)
        let doc = try run.document()
        #expect(doc.report.verdicts.count == rates.rows.count + power.rows.count)
        #expect(doc.report.verdicts.allSatisfy { $0.alpha == 0.01 })
        #expect(doc.report.headlines.contains { $0.name.hasPrefix("pooled false-fail rate") })
        let script = try String(
            contentsOf: run.directory.appendingPathComponent("plots/false_fail_rates.gp"), encoding: .utf8)
        #expect(script.contains("set xtics (\"\(claim.id)\" 1"))
    }
}
