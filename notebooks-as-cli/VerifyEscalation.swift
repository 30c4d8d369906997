import Foundation
import ZOCheck
import ZOReports

/// The escalation part of `zocheck verify`: runs `Escalation`'s checks and turns them into report parts.
enum VerifyEscalation {
    struct Parts {
        var verdicts: [VerdictRow] = []
        var datasets: [Dataset] = []
        var figures: [Figure] = []
        var headlines: [Headline] = []
    }

    static func run(_ ctx: NotebookContext) throws -> Parts {
        let data = try FineTuneData.load(cache: ctx.cache, maxLength: Escalation.config(.mezo).maxLength)
        let start = try FineTuneStart.make(Escalation.config(.mezo), cache: ctx.cache)
        var parts = Parts()
        let zoMethods = FineTuneMethod.allCases.filter(\.isZerothOrder)
        let foMethods = FineTuneMethod.allCases.filter { !$0.isZerothOrder }
        let total = zoMethods.count + foMethods.count + 1
        var descents: [Escalation.Descent] = []
        for (i, m) in zoMethods.enumerated() {
            descents.append(
                try Escalation.descent(m, start: start, data: data) { t, n in
                    ctx.progress.update("escalation \(m.rawValue) step", done: i * n + t, total: total * n)
                })
        }
        let devBefore = try FineTuneEvaluation.evaluate(start.encoder, start.parameters, on: data.dev, split: .dev).1
        var heldOut: [Escalation.HeldOut] = []
        for (i, m) in foMethods.enumerated() {
            heldOut.append(
                try Escalation.heldOut(m, start: start, data: data, devBefore: devBefore) { t, n in
                    ctx.progress.update(
                        "escalation \(m.rawValue) step", done: (zoMethods.count + i) * n + t, total: total * n)
                })
        }
        let versus = try Escalation.pretrainedVersusRandom(data: data, cache: ctx.cache) { t, n in
            ctx.progress.update("escalation pretrained vs random step", done: (total - 1) * n + t, total: total * n)
        }
        let a = Escalation.alpha
        var table = Dataset(
            name: "escalation",
            description:
                """
                CI-sized escalation on the pretrained all-MiniLM-L6-v2 (2 layers, batch 16, default learning \
                rates), one row per check.
                """,
            columns: [
                Column("check", "what is tested"), Column("method", "fine-tuning method"),
                Column("steps", "optimizer steps"),
                Column("learning_rate", "η"),
                Column("effect", "mean one-step loss change (ZO), dev-loss change (FO), or b − c (McNemar)"),
                Column("statistic", "t (ZO, FO), or z"), Column("p", "one-sided p-value (ZO: min of sign and t test)"),
                Column("alpha", "α of the check (ZO: α/2 per test)"), Column("outcome", "pass or fail"),
            ])
        var zoFigure = Figure(
            name: "escalation_one_step",
            title: "ZO methods: loss change of each step on its own minibatch (2 layers, 30 steps)",
            xLabel: "step", yLabel: "f_B(θ_{t+1}) − f_B(θ_t)  (nats)",
            caption:
                """
                Each ZO step must lower the loss of the minibatch it measured (first order: Δ ≈ −η c²); points \
                above 0 are steps that did not.
                """
        )
        for d in descents {
            let p = min(d.signP, d.tP)
            parts.verdicts.append(
                VerdictRow(
                    claim: "ESCALATION-DESCENT \(d.method.rawValue)", outcome: d.passes ? "pass" : "fail",
                    expected: "holds",
                    statistic: d.t, pValue: p, alpha: Escalation.descentLevel(a), n: d.steps,
                    detail:
                        """
                        \(d.descending)/\(d.steps) descending steps (sign test p = \(NB.f(d.signP, 3))), mean \
                        change \(NB.f(d.meanChange, 3)) (t-test p = \(NB.f(d.tP, 3))); seed \(d.seed)
                        """
                ))
            table.append([
                .text("one-step descent"), .text(d.method.rawValue), .number(Double(d.steps)), .number(d.learningRate),
                .number(d.meanChange),
                .number(d.t), .number(p), .number(Escalation.descentLevel(a)), .text(d.passes ? "pass" : "fail"),
            ])
            zoFigure.series.append(
                Series(
                    d.method.rawValue, style: .linesPoints, x: (1...d.steps).map(Double.init),
                    y: zip(d.after, d.before).map { $0 - $1 }))
        }
        var foFigure = Figure(
            name: "escalation_fo_training", title: "FO methods: minibatch training loss (2 layers, 40 steps)",
            xLabel: "step", yLabel: "minibatch cross-entropy (nats)",
            caption: "Training loss per step of FO-SGD and FO-Adam from the pretrained encoder.")
        for h in heldOut {
            parts.verdicts.append(
                VerdictRow(
                    claim: "ESCALATION-HELD-OUT \(h.method.rawValue)", outcome: h.passes ? "pass" : "fail",
                    expected: "holds",
                    statistic: h.t, pValue: max(h.p, h.chanceP), alpha: a, n: h.test.examples,
                    detail:
                        """
                        dev loss \(NB.f(h.devLossBefore, 4)) → change \(NB.f(h.devLossChange, 3)) (p = \
                        \(NB.f(h.p, 3))); test accuracy \(NB.f(h.test.accuracy, 3)) vs chance \
                        \(NB.f(h.test.majorityRate, 3)) (p = \(NB.f(h.chanceP, 3))); seed \(h.seed)
                        """
                ))
            table.append([
                .text("held-out loss and accuracy"), .text(h.method.rawValue), .number(Double(h.steps)),
                .number(h.learningRate),
                .number(h.devLossChange), .number(h.t), .number(max(h.p, h.chanceP)), .number(a),
                .text(h.passes ? "pass" : "fail"),
            ])
            foFigure.series.append(
                Series(h.method.rawValue, style: .lines, x: (1...h.steps).map(Double.init), y: h.trainLosses))
            parts.headlines.append(
                Headline(
                    "\(h.method.rawValue) test accuracy after \(h.steps) steps", h.test.accuracy,
                    detail: "chance \(NB.f(h.test.majorityRate, 3))"))
        }
        parts.verdicts.append(
            VerdictRow(
                claim: "ESCALATION-PRETRAINED-LOADED", outcome: versus.passes ? "pass" : "fail", expected: "holds",
                statistic: versus.z, pValue: versus.p, alpha: a, n: versus.b + versus.c,
                detail:
                    """
                    FO-Adam \(versus.steps) steps, test accuracy: pretrained \
                    \(NB.f(versus.pretrainedBefore.accuracy, 3)) → \(NB.f(versus.pretrainedAfter.accuracy, 3)), \
                    random init \(NB.f(versus.randomBefore.accuracy, 3)) → \
                    \(NB.f(versus.randomAfter.accuracy, 3)); McNemar b = \(versus.b), c = \(versus.c)
                    """
            ))
        table.append([
            .text("pretrained vs random init (McNemar)"), .text("fo-adam"), .number(Double(versus.steps)),
            .number(Escalation.config(.foAdam).learningRate),
            .number(Double(versus.b - versus.c)), .number(versus.z), .number(versus.p), .number(a),
            .text(versus.passes ? "pass" : "fail"),
        ])
        parts.headlines.append(
            Headline(
                "pretrained − random test accuracy (FO-Adam)",
                versus.pretrainedAfter.accuracy - versus.randomAfter.accuracy))
        parts.datasets = [table]
        parts.figures = [zoFigure, foFigure]
        return parts
    }
}
