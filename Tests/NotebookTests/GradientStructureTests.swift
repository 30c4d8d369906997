import Foundation
import Testing
import ZOCheck
import ZONotebooks
import ZOReports

@Suite struct GradientStructureTests {
    /// The tiny run's stable ranks are GradientRank's, recomputed here on the same problem; the verdict,
    /// headlines, datasets and report files are all there.
    @Test(.enabled(if: TransformerNotebook.available, TransformerNotebook.skipMessage))
    func tinyRunMatchesGradientRank() throws {
        let seed: UInt64 = 41
        let run = try TransformerNotebook.run(GradientStructure.self, seed: seed)
        defer { try? FileManager.default.removeItem(at: run.root) }
        #expect(run.exists("report.md") && run.exists("report.html") && run.exists("data/stable_ranks.csv"))
        let table = try run.dataset("stable_ranks")
        let names = TransformerNotebook.column(table, "matrix").compactMap(\.text)
        let ranks = TransformerNotebook.column(table, "stable_rank").compactMap(\.number)
        // 1 layer: 6 attention/FFN matrices, 3 embedding tables, the head.
        #expect(names.count == 10 && ranks.count == 10)

        let problem = try ScaleProblem.load(
            GradientStructure.setup(TransformerNotebook.context(seed: seed)), cache: TransformerNotebook.cache)
        #expect(problem.setup.layers == 1)
        let g = try problem.gradient()
        let query = "encoder.layer.0.attention.self.query.weight"
        let t = try #require(problem.layout.tensors.firstIndex { $0.name == query })
        let direct = try GradientRank.analyse(g, layout: problem.layout, tensor: t)
        let i = try #require(names.firstIndex(of: query))
        #expect(
            TransformerNotebook.close(ranks[i], direct.stableRank, relative: 1e-9),
            "notebook \(ranks[i]) vs GradientRank \(direct.stableRank)")

        let doc = try run.document()
        let verdict = try #require(doc.report.verdicts.first)
        #expect(
            verdict.claim == "SCALE-GRADIENT-LOW-STABLE-RANK" && verdict.alpha == 0
                && ["pass", "fail"].contains(verdict.outcome))
        let worst = try #require(doc.report.headlines.first { $0.name.hasPrefix("max stable rank") })
        let fractions = TransformerNotebook.column(table, "fraction").compactMap(\.number)
        let roles = TransformerNotebook.column(table, "role").compactMap(\.text)
        let maxFraction =
            zip(roles, fractions).filter { GradientRank.attentionAndFFNRoles.contains($0.0) }.map(\.1).max() ?? .nan
        #expect(worst.value == maxFraction && (verdict.outcome == "pass") == (maxFraction <= 0.1))
        #expect(doc.report.figures.count == 3 && doc.provenance.seed == seed)
    }
}
