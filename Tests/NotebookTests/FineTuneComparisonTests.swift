import Foundation
import Testing
import ZOCheck
import ZONotebooks
import ZOReports

@Suite struct FineTuneComparisonTests {
    /// The tiny run has every method's curves; MeZO's dev loss at the end of the budget equals
    /// LossCurves.run recomputed with the notebook's spec.
    @Test(.enabled(if: TransformerNotebook.available, TransformerNotebook.skipMessage))
    func tinyRunMatchesLossCurves() throws {
        let seed: UInt64 = 47
        let run = try TransformerNotebook.run(FineTuneComparison.self, seed: seed)
        defer { try? FileManager.default.removeItem(at: run.root) }
        #expect(run.exists("report.md") && run.exists("report.html"))
        let spec = FineTuneComparison.spec(TransformerNotebook.context(seed: seed))
        let curves = try run.dataset("curves")
        let method = TransformerNotebook.column(curves, "method").compactMap(\.text)
        let metric = TransformerNotebook.column(curves, "metric").compactMap(\.text)
        let passes = TransformerNotebook.column(curves, "forward_passes").compactMap(\.number)
        let mean = TransformerNotebook.column(curves, "mean").compactMap(\.number)
        #expect(
            Set(method) == Set(FineTuneMethod.allCases.map(\.rawValue))
                && Set(metric) == ["dev_loss", "train_loss", "dev_accuracy"])
        let accuracy = metric.indices.filter { metric[$0] == "dev_accuracy" }.map { mean[$0] }
        #expect(!accuracy.isEmpty && accuracy.allSatisfy { (0...1).contains($0) })

        var mezoOnly = spec
        mezoOnly.methods = [.mezo]
        let direct = try LossCurves.run(
            mezoOnly, data: try FineTuneData.load(cache: TransformerNotebook.cache, maxLength: spec.base.maxLength),
            cache: TransformerNotebook.cache)
        let end = try #require(direct.points.first { $0.metric == "dev_loss" && $0.forwardPasses == spec.budget })
        let k = try #require(
            method.indices.first {
                method[$0] == "mezo" && metric[$0] == "dev_loss" && passes[$0] == Double(spec.budget)
            })
        #expect(
            TransformerNotebook.close(mean[k], end.mean, relative: 1e-9),
            "notebook \(mean[k]) vs LossCurves \(end.mean)")

        let doc = try run.document()
        #expect(doc.report.headlines.count == FineTuneMethod.allCases.count && doc.report.figures.count == 3)
        let before = try run.dataset("before_after")
        #expect(before.rows.count == FineTuneMethod.allCases.count)
    }
}
