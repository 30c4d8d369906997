import ArgumentParser
import Foundation
import ZOCheck
import ZOReports

extension ZOCheckCommand {
    /// The main job: the claim catalog and the CI-sized escalation, one summary report.
    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The main job: run the claim catalog and the CI-sized escalation; write reports/verify/.",
            discussion: VerifyNotebook.discussion
                + "\n\nExits 1 when a verdict disagrees with the catalog's expectation (after writing the report)."
        )
        @OptionGroup var options: NotebookOptions

        func run() throws {
            let (report, written) = try options.execute(VerifyNotebook.self)
            print(NotebookOutput.summary(report, written: written))
            if report.verdicts.contains(where: { !$0.asExpected }) { throw ExitCode(1) }
        }
    }
}

/// `zocheck verify` as a notebook: every catalog claim at its CI α and sizes, then the CI-sized
/// escalation on the real pretrained transformer (Escalation: ZO one-step descent, FO held-out loss
/// and accuracy, pretrained versus random init).
public enum VerifyNotebook: Notebook {
    public static let name = "verify"
    public static let title = "ZOCheck verification summary: claim catalog and CI-sized escalation"
    public static let abstract = "Run the claim catalog and the CI-sized escalation; one summary report."
    public static let discussion = """
        Runs every claim of the catalog (`zocheck claims --list`) with its own α and CI sample sizes, seeded \
        from --seed, then the CI-sized escalation on the pretrained all-MiniLM-L6-v2 cut to 2 layers (assets \
        from `make assets`): each ZO method's one-step descent on its own minibatches (30 steps; sign test and \
        t-test at α/2 each), FO-SGD and FO-Adam's held-out dev loss and test accuracy against chance (40 \
        steps), and the pretrained encoder against BERT's random init (McNemar), each at α = 1e-3. A claim that \
        holds must pass; a refuted claim (a circulating wrong formula, the reference-faithful LOZO) must fail. \
        Sizes: tiny runs 4 fast claims and no escalation (for tests); ci (default) everything, a few minutes; \
        full uses 10× the claims' sample sizes.
        """
    public static var claims: [String] { Catalog.standard.claims.map(\.id) }

    static let tinyClaims = [
        "CENTRAL-EXACT-QUADRATIC", "MEZO-UNBIASED", "LOZO-SECOND-MOMENT-CIRCULATING", "KEYED-REGENERATION",
    ]

    public static func run(_ ctx: NotebookContext) throws -> Report {
        let catalog = try ZOCheckExtensions.catalog
        let selected = ctx.size == .tiny ? tinyClaims.compactMap(catalog.claim(id:)) : catalog.claims
        var results: [ClaimResult] = []
        for (i, claim) in selected.enumerated() {
            ctx.progress.update("claim \(claim.id)", done: i, total: selected.count)
            results.append(
                Catalog.run(claim, context: ClaimContext(seed: ctx.seed, size: ctx.size == .full ? .full : .ci)))
        }
        var report = claimsReport(results)
        var falsePassAlpha = 0.0
        var escalationChecks = 0
        if ctx.size != .tiny {
            let escalation = try VerifyEscalation.run(ctx)
            falsePassAlpha = escalation.verdicts.reduce(0) { $0 + $1.alpha }
            escalationChecks = escalation.verdicts.count
            report.verdicts += escalation.verdicts
            report.datasets += escalation.datasets
            report.figures += escalation.figures
            report.headlines += escalation.headlines
        }
        let escalationNote =
            escalationChecks == 0
            ? ""
            : """
             The \(escalationChecks) fine-tuning checks pass by rejecting "no improvement": their α (Σ = \
            \(NB.f(falsePassAlpha, 3))) is the chance that a method that does not improve passes (a false pass); \
            their chance of failing a correct method is one minus their power.
            """
        let agreeing = report.verdicts.filter(\.asExpected).count
        report.headlines.insert(
            Headline("verdicts agreeing with the catalog", Double(agreeing), unit: "of \(report.verdicts.count)"), at: 0
        )
        report.summary.insert(
            """
            **\(agreeing) of \(report.verdicts.count) verdicts agree with what the catalog expects** (a claim \
            that holds passes, a refuted one fails). Error rates: \(Catalog.accounting(results)).\
            \(escalationNote)
            """,
            at: 0)
        return report
    }

    static func claimsReport(_ results: [ClaimResult]) -> Report {
        var data = Dataset(
            name: "claims", description: "One row per catalog claim: its verdict at the claim's CI α and sizes.",
            columns: [
                Column("claim", "catalog id"), Column("source", "paper (or derived/pitfalls/scale)"),
                Column("expected", "holds or refuted"), Column("outcome", "pass, fail or inconclusive"),
                Column("agrees", "yes when outcome matches the expectation"), Column("statistic", "test statistic"),
                Column("p", "p-value"), Column("alpha", "false-fail rate α (0: exact check)"),
                Column("n", "sample size"),
                Column("detectable", "smallest effect detected at power 0.95, in `effect_unit`"),
                Column("effect_unit", "unit of `detectable`"), Column("seconds", unit: "s", "wall time of the check"),
                Column("seed", "the check's seed"),
            ])
        var pHolds = Series("holding claims: p-value", style: .points, x: [], y: [])
        var pRefuted = Series("refuted claims: p-value", style: .points, x: [], y: [])
        var alphas = Series("the claim's α", style: .points, x: [], y: [])
        for (i, r) in results.enumerated() {
            let v = r.verdict
            data.append([
                .text(r.id), .text(r.source.paper.rawValue), .text(r.expectation.rawValue), .text(v.outcome.rawValue),
                .text(r.agrees ? "yes" : "NO"), .number(v.statistic), .number(v.pValue), .number(v.alpha),
                .number(Double(v.n)),
                .number(v.detectableEffect), .text(v.effectUnit), .number(r.seconds), .text(String(r.seed)),
            ])
            guard v.alpha > 0 else { continue }
            let p = max(v.pValue, 1e-300)
            if r.expectation == .holds {
                pHolds.x.append(Double(i + 1))
                pHolds.y.append(p)
            } else {
                pRefuted.x.append(Double(i + 1))
                pRefuted.y.append(p)
            }
            alphas.x.append(Double(i + 1))
            alphas.y.append(v.alpha)
        }
        let figure = Figure(
            name: "claim_p_values", title: "Claim catalog: p-value of each stochastic check against its α",
            xLabel: "claim (row number in data/claims.csv)", yLabel: "p-value (log scale)", logY: true,
            caption:
                """
                A holding claim passes when its p-value (blue) lies above its α (green); a refuted claim must \
                fall below. Exact checks (α = 0) are in the table only.
                """,
            series: [pHolds, pRefuted, alphas])
        let failed = results.filter { !$0.agrees }.map(\.id)
        return Report(
            name: name, title: title, claims: results.map(\.id),
            summary: [
                """
                Claim catalog: \(results.count) claims (\(results.filter { $0.verdict.alpha == 0 }.count) exact \
                checks, \(results.filter { $0.expectation == .refuted }.count) expected to be refuted), \
                \(failed.isEmpty ? "all agreeing" : "disagreeing: " + failed.joined(separator: ", ")). Each row \
                of data/claims.csv has the claim's seed; `zocheck claims --id <ID> --seed <seed>` reruns one.
                """
            ],
            headlines: [
                Headline("claims run", Double(results.count)),
                Headline("catalog wall time", results.reduce(0) { $0 + $1.seconds }, unit: "s"),
            ],
            verdicts: results.map(NB.row), datasets: [data], figures: [figure])
    }
}
