import Foundation
import ZOCheck
import ZOReports

/// Loss and accuracy curves of every fine-tuning method over seeds, with 95 % t-bands.
public enum FineTuneComparison: Notebook {
    public static let name = "finetune-comparison"
    public static let title = "Fine-tuning all-MiniLM-L6-v2: loss and accuracy versus forward passes, every method"
    public static let abstract =
        """
        Dev loss, train loss and dev accuracy versus forward passes for MeZO, LOZO, LOZO-M, SubZero, Sparse MeZO, \
        FO-SGD and FO-Adam, mean ± 95 % t-band over seeds.
        """
    public static let discussion = """
        Problem: sentiment classification of VADER movie-review sentences with the pretrained all-MiniLM-L6-v2 \
        cut to its first K layers and a fresh 2-class head (FineTuneSession). Every method (mezo, lozo, lozo-m, \
        subzero, sparse-mezo, fo-sgd, fo-adam; learning rates: each method's default, measured on 2 layers) runs \
        the same budget of forward-pass equivalents (ZO 2 per step, FO 3: forward + backward) from the same start \
        for each seed (the seed draws the head, the minibatches and the perturbations). Every Δ passes the dev \
        loss and dev accuracy on N dev examples (spread evenly over the split) are evaluated and the training loss is averaged over the \
        steps since the previous grid point (LossCurves). Across the n seeds: mean and the t-interval \
        mean ± t(0.975, n−1)·sd/√n, drawn as bands. Before/after: dev accuracy at 0 and at the full budget, with the \
        majority-class rate of the same dev examples as the floor. No claim of the catalog is tested here (the \
        pretrained-versus-random comparison and test accuracy are `zocheck finetune`'s). Sizes: tiny 1 layer, 2 \
        seeds, 6 passes (one grid step, Δ = 6), 16 dev examples; ci 2 layers, 3 seeds, 60 passes (Δ = 6), 64 dev examples (a few minutes: ZO barely moves in 30 steps; `full` or `zocheck finetune curves` for longer runs); \
        full 6 layers, 3 seeds, 1200 passes (Δ = 60), 256 dev examples. Sentences ≤ 32 tokens, minibatch 16.
        """
    public static let claims: [String] = []

    /// The LossCurves spec of a size.
    public static func spec(_ ctx: NotebookContext) -> LossCurves.Spec {
        var base = FineTuneConfig.defaults(for: .mezo)
        base.layers = ctx.size.pick(tiny: 1, ci: 2, full: 6)
        base.maxLength = 32
        base.batchSize = 16
        base.threads = ctx.threads
        let seeds = ctx.size.pick(tiny: 2, ci: 3, full: 3)
        return LossCurves.Spec(
            methods: FineTuneMethod.allCases, seeds: (0..<UInt64(seeds)).map { ctx.seed &+ $0 },
            budget: ctx.size.pick(tiny: 6, ci: 60, full: 1200), spacing: ctx.size.pick(tiny: 6, ci: 6, full: 60),
            devLimit: ctx.size.pick(tiny: 16, ci: 64, full: 256), base: base)
    }

    public static func run(_ ctx: NotebookContext) throws -> Report {
        let spec = spec(ctx)
        ctx.progress.update("load data", done: 0, total: spec.methods.count * spec.seeds.count)
        let data = try FineTuneData.load(cache: ctx.cache, maxLength: spec.base.maxLength)
        let dev = try data.batch(.dev, limit: spec.devLimit)
        let labels = dev.labels ?? []
        let positives = labels.filter { $0 == 1 }.count
        let majority =
            labels.isEmpty ? Double.nan : Double(max(positives, labels.count - positives)) / Double(labels.count)
        var done = 0
        let result = try LossCurves.run(spec, data: data, cache: ctx.cache) { line in
            ctx.progress.update("runs (now \(line))", done: done, total: spec.methods.count * spec.seeds.count)
            done += 1
        }
        return try report(result, majorityRate: majority)
    }

    static func report(_ result: LossCurves.Result, majorityRate: Double) throws -> Report {
        let spec = result.spec
        var curves = Dataset(
            name: "curves",
            description:
                """
                LossCurves points: per method, metric and grid point, the mean over seeds and the 95 % t-interval \
                (values per seed in `runs`' seed order in report.json's LossCurves schema).
                """,
            columns: [
                Column("method", "fine-tuning method"),
                Column("metric", "dev_loss, train_loss (windowed mean since the previous grid point) or dev_accuracy"),
                Column("forward_passes", unit: "forward-pass equivalents", "cost so far (ZO 2 per step, FO 3)"),
                Column("n", "seeds"), Column("mean", unit: "nats or fraction", "mean over seeds"),
                Column("sd", unit: "nats or fraction", "sample standard deviation"),
                Column("lower95", unit: "nats or fraction", "mean − t(0.975, n−1)·sd/√n"),
                Column("upper95", unit: "nats or fraction", "mean + t(0.975, n−1)·sd/√n"),
            ]
                + spec.seeds.map { Column("seed_\($0)", unit: "nats or fraction", "value of the run with seed \($0)") })
        for p in result.points {
            curves.append(
                [
                    NB.text(p.method.rawValue), NB.text(p.metric), NB.num(p.forwardPasses), NB.num(p.n), NB.num(p.mean),
                    NB.num(p.sd),
                    NB.num(p.lower95), NB.num(p.upper95),
                ] + spec.seeds.indices.map { NB.num($0 < p.values.count ? p.values[$0] : .nan) })
        }
        var runs = Dataset(
            name: "runs", description: "One row per method × seed run (LossCurves.RunInfo).",
            columns: [
                Column("method", "fine-tuning method"), Column("seed", "root seed of the run"),
                Column("steps", "optimizer steps"),
                Column("learning_rate", "the method's learning rate"),
                Column("seconds", unit: "s", "wall time of the run, evaluations included"),
            ])
        for r in result.runs {
            runs.append([
                NB.text(r.method.rawValue), NB.num(Double(r.seed)), NB.num(r.steps), NB.num(r.learningRate),
                NB.num(r.seconds),
            ])
        }
        var summary = Dataset(
            name: "before_after",
            description:
                """
                Per method: dev loss and dev accuracy at 0 passes and after the whole budget (mean over seeds, 95 \
                % t-interval).
                """,
            columns: [
                Column("method", "fine-tuning method"), Column("dev_loss_before", unit: "nats", "dev loss at 0 passes"),
                Column("dev_loss_after", unit: "nats", "dev loss after the budget"),
                Column("dev_loss_after_lower95", unit: "nats", "95 % t-interval, lower"),
                Column("dev_loss_after_upper95", unit: "nats", "95 % t-interval, upper"),
                Column("dev_accuracy_before", "dev accuracy at 0 passes"),
                Column("dev_accuracy_after", "dev accuracy after the budget"),
                Column("dev_accuracy_after_lower95", "95 % t-interval, lower"),
                Column("dev_accuracy_after_upper95", "95 % t-interval, upper"),
                Column("majority_rate", "majority-class rate of the same dev examples"),
            ])
        var headlines: [Headline] = []
        func point(_ m: FineTuneMethod, _ metric: String, _ at: Int) -> LossCurves.Point? {
            result.points.first { $0.method == m && $0.metric == metric && $0.forwardPasses == at }
        }
        for m in spec.methods {
            guard let l0 = point(m, "dev_loss", 0), let l1 = point(m, "dev_loss", spec.budget) else {
                throw ZOError(
                    "LossCurves returned no dev loss for \(m.rawValue)", at: "notebook \(name)", fix: "report this bug")
            }
            let a0 = point(m, "dev_accuracy", 0)
            let a1 = point(m, "dev_accuracy", spec.budget)
            summary.append([
                NB.text(m.rawValue), NB.num(l0.mean), NB.num(l1.mean), NB.num(l1.lower95), NB.num(l1.upper95),
                NB.num(a0?.mean ?? .nan), NB.num(a1?.mean ?? .nan), NB.num(a1?.lower95 ?? .nan),
                NB.num(a1?.upper95 ?? .nan), NB.num(majorityRate),
            ])
            headlines.append(
                Headline(
                    "\(m.rawValue): dev loss after \(spec.budget) passes", l1.mean, unit: "nats",
                    detail: String(
                        format: "95 %% t [%.4f, %.4f]; %.4f at the start; dev accuracy %.3f → %.3f", l1.lower95,
                        l1.upper95, l0.mean,
                        a0?.mean ?? .nan, a1?.mean ?? .nan)))
        }
        let best = summary.rows.min { ($0[2].number ?? .infinity) < ($1[2].number ?? .infinity) }?[0].text ?? "?"
        let b = spec.base
        let figures = [
            curveFigure(
                result, metric: "dev_loss", title: "Dev loss versus forward passes", yLabel: "dev cross-entropy (nats)",
                caption:
                    """
                    Mean over \(spec.seeds.count) seeds with the 95 % t-band, evaluated every \(spec.spacing) \
                    passes on \(spec.devLimit) dev examples spread over the split.
                    """
            ),
            curveFigure(
                result, metric: "train_loss", title: "Training loss versus forward passes",
                yLabel: "training cross-entropy (nats, window mean)",
                caption:
                    """
                    Mean of the minibatch losses of the steps since the previous grid point (ZO: (f₊ + f₋)/2), \
                    mean over \(spec.seeds.count) seeds with the 95 % t-band.
                    """
            ),
            curveFigure(
                result, metric: "dev_accuracy", title: "Dev accuracy versus forward passes",
                yLabel: "dev accuracy (fraction correct)",
                caption:
                    """
                    Mean over \(spec.seeds.count) seeds with the 95 % t-band on \(spec.devLimit) dev examples \
                    spread over the split; dashed: the majority-class rate \(NB.f(majorityRate, 3)) of those \
                    examples.
                    """,
                floor: majorityRate),
        ]
        return Report(
            name: name, title: title, claims: claims,
            summary: [
                """
                Each of the \(spec.methods.count) methods fine-tunes all-MiniLM-L6-v2 (\(b.layers) layer(s), \
                minibatch \(b.batchSize), ≤ \(b.maxLength) tokens) for \(spec.budget) forward-pass equivalents \
                from the same start per seed, \(spec.seeds.count) seeds. Lowest mean dev loss after the budget: \
                \(best). At equal forward passes first-order methods take fewer steps (3 passes each) but exact \
                ones; ZO methods take 2-pass steps along one random direction, whose cosine with the gradient is \
                ≈ √(2/(πd)) (see estimator-quality), so at small budgets their curves move little: this is the \
                comparison the ZO papers make at much larger budgets.
                """,
                """
                Bands are 95 % t-intervals across seeds (n = \(spec.seeds.count)): they express seed-to-seed \
                variation (head initialisation, minibatches, perturbations), not uncertainty of a single run. \
                Learning rates are each method's default (FineTuneConfig.defaultLearningRate, measured on 2 \
                layers); no tuning is done here. Accuracies before and after are on the same dev examples as the \
                loss; test accuracy and the pretrained-versus-random comparison are left to `zocheck finetune`.
                """,
            ], headlines: headlines, verdicts: [], datasets: [curves, summary, runs], figures: figures)
    }

    static func curveFigure(
        _ result: LossCurves.Result, metric: String, title: String, yLabel: String, caption: String,
        floor: Double? = nil
    ) -> Figure {
        var f = Figure(
            name: metric + "_curves",
            title: title + " (\(result.spec.base.layers) layer(s), \(result.spec.seeds.count) seeds)",
            xLabel: "forward-pass equivalents (ZO 2 per step, FO 3 per step)", yLabel: yLabel, caption: caption)
        for m in result.spec.methods {
            let p = result.points.filter { $0.method == m && $0.metric == metric }.sorted {
                $0.forwardPasses < $1.forwardPasses
            }
            guard !p.isEmpty else { continue }
            f.series.append(
                Series(
                    m.rawValue, style: .band, x: p.map { Double($0.forwardPasses) }, y: p.map(\.mean),
                    lower: p.map(\.lower95), upper: p.map(\.upper95)))
        }
        if let floor, floor.isFinite {
            f.series.append(
                Series("majority class", style: .dashed, x: [0, Double(result.spec.budget)], y: [floor, floor]))
        }
        return f
    }
}
