import Foundation
import Testing
import ZOCheck
import ZONotebooks
import ZOReports

@Suite struct EstimatorQualityNotebookTests {
    /// MeZO's row of the tiny run equals EstimatorQuality.row recomputed with the same keys; every
    /// estimator has its theory, its draws and its claim's verdict.
    @Test(.enabled(if: TransformerNotebook.available, TransformerNotebook.skipMessage))
    func tinyRunMatchesEstimatorQuality() throws {
        let seed: UInt64 = 43
        let run = try TransformerNotebook.run(EstimatorQualityNotebook.self, seed: seed)
        defer { try? FileManager.default.removeItem(at: run.root) }
        #expect(run.exists("report.md") && run.exists("report.html"))
        let moments = try run.dataset("moments")
        let names = TransformerNotebook.column(moments, "estimator").compactMap(\.text)
        #expect(names == ScaleEstimatorSpec.defaults.map(\.name))
        let draws = try run.dataset("draws")
        let n = Int(TransformerNotebook.column(moments, "draws").first?.number ?? 0)
        #expect(n >= 2 && draws.rows.count == n * names.count)

        let ctx = TransformerNotebook.context(seed: seed)
        let problem = try ScaleProblem.load(EstimatorQualityNotebook.setup(ctx), cache: TransformerNotebook.cache)
        let g = try problem.gradient()
        let row = try EstimatorQuality.row(
            problem, spec: .mezo, gradient: g, draws: n, epsilon: 1e-3, key: ctx.key.fold(in: 3))
        let theory = try #require(TransformerNotebook.column(moments, "theory_second_moment").first?.number)
        let plain = try #require(TransformerNotebook.column(moments, "second_moment_plain").first?.number)
        let cosine = try #require(TransformerNotebook.column(moments, "cosine_plain").first?.number)
        #expect(TransformerNotebook.close(theory, row.theory.secondMomentRatio, relative: 1e-12))
        #expect(
            TransformerNotebook.close(plain, row.secondMomentRatio.estimate, relative: 1e-9),
            "\(plain) vs \(row.secondMomentRatio.estimate)")
        #expect(TransformerNotebook.close(cosine, row.cosine.estimate, relative: 1e-9))
        // MeZO's theory: (d + 2)‖g‖²/‖g‖² = d + 2.
        #expect(TransformerNotebook.close(theory, Double(problem.layout.count + 2), relative: 1e-9))

        let doc = try run.document()
        #expect(Set(doc.report.verdicts.map(\.claim)) == Set(EstimatorQualityNotebook.claims))
        // Each verdict's n is that of its deciding part: the forward draws or the 8 law samples (tiny).
        #expect(doc.report.verdicts.allSatisfy { $0.alpha == 1e-5 && ($0.n == n || $0.n == 8) })
        #expect(doc.report.headlines.count == 2 * names.count && doc.report.figures.count == 3)
    }
}
