import Foundation
import Testing
import ZOCheck
import ZONotebooks
import ZOReports

@Suite struct VarianceVsDimensionTests {
    /// The tiny run's written numbers equal `EstimatorComparison` recomputed here with the same keys
    /// (k = 8 is grid index 1: problem key fold(1), draw key fold(1001)), exactly.
    @Test func tinyRunWritesTheLibrarysNumbers() throws {
        let seed: UInt64 = 77
        let run = try NotebookRun(VarianceVsDimension.self, seed: seed)
        defer { run.remove() }
        let report = run.report
        for file in [
            "report.md", "report.html", "report.json", "data/second_moment.csv", "data/exponents.json",
            "plots/second_moment_vs_d.gp",
        ] {
            #expect(run.exists(file), "missing \(file)")
        }
        let doc = try run.dataset("second_moment")
        #expect(doc.rows.count == 3 * 6)
        let key = PRNGKey(seed: seed)
        let problem = try LowRankMatrixQuadratic<Double>(m: 8, n: 8, rankA: 2, rankB: 2, key: key.fold(in: 1))
        let rows = try EstimatorComparison.run(
            problem, at: problem.initialPoint(), estimators: VarianceVsDimension.estimators().map(\.1),
            draws: 150, key: key.fold(in: 1001))
        let written8 = doc.rows.filter { $0[1].number == 8 }
        #expect(written8.count == rows.count)
        for (w, r) in zip(written8, rows) {
            let measured = w[4].number
            let theory = w[8].number
            #expect(measured == r.secondMomentRatio, "\(r.estimator) (seed \(seed))")
            #expect(theory == r.theorySecondMomentRatio, "\(r.estimator) (seed \(seed))")
        }
        #expect(report.verdicts.count == 6 && report.headlines.count == 6)
        #expect(report.verdicts.allSatisfy { $0.alpha == 0.001 })
    }
}

@Suite struct VerifyTests {
    /// The tiny verify runs four catalog claims; its verdicts equal the catalog's at the same seed.
    @Test func tinyVerifyAgreesWithTheCatalog() throws {
        let run = try NotebookRun(VerifyNotebook.self, seed: 5)
        defer { run.remove() }
        let report = run.report
        let doc = try run.dataset("claims")
        #expect(doc.rows.count == 4)
        for row in doc.rows {
            let id = try #require(row[0].text)
            let claim = try #require(Catalog.standard.claim(id: id))
            let direct = Catalog.run(claim, context: ClaimContext(seed: 5, size: .ci))
            let p = row[6].number
            let agrees = row[4].text
            #expect(p == direct.verdict.pValue, "\(id) (seed 5)")
            #expect(agrees == (direct.agrees ? "yes" : "NO"), "\(id)")
        }
        #expect(report.headlines.first?.value == 4)
        let md = try String(contentsOf: run.directory.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(md.contains("4 of 4 verdicts agree"))
    }
}
