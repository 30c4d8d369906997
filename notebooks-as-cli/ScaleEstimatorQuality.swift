import ArgumentParser
import Foundation
import ZOCheck

extension ZOCheckCommand.Scale {
    struct EstimatorQuality: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "estimator-quality",
            abstract:
                """
                ZO estimates at scale against backprop: cosine and E‖ĝ‖²/‖g‖² with 95 % intervals, next to the \
                theory.
                """,
            discussion: """
                At the pretrained weights, each estimator (default: mezo, lozo:2, subzero:8, sparse-mezo:0.8) is drawn
                --draws times on the fixed minibatch (fused f(θ ± εZ) through the objective, Float, fresh keys every
                draw), and compared with the backprop gradient g of the same minibatch. Columns: the theory's
                E‖ĝ‖²/‖g‖² (MULTI-TENSOR-MOMENTS for this model's shapes); the measured value, plain and with the
                linearised estimate ĝ₀ = ⟨g,Z⟩·S·Z as a control variate; their ratio; E cos(ĝ, g) measured, linearised
                and predicted (exact for MeZO and Sparse MeZO, a Gaussian approximation for LOZO and SubZero); the
                relative RMS error of the two-point coefficient against ⟨g, Z⟩. Repeat --epsilon for an ε sweep.
                Claims: SCALE-MEZO-MOMENTS, SCALE-LOZO-SECOND-MOMENT, SCALE-SUBZERO-SECOND-MOMENT, SCALE-SPARSE-MOMENTS.
                """
        )

        @OptionGroup var options: ScaleOptions
        @Option(help: "Estimates per estimator.") var draws: Int = 200
        @Option(parsing: .upToNextOption, help: "Estimators: mezo, lozo[:r], subzero[:r], sparse-mezo[:s].")
        var estimators: [String] = ["mezo", "lozo:2", "subzero:8", "sparse-mezo:0.8"]
        @Option(help: "Perturbation scale ε (repeat for a sweep).") var epsilon: [Double] = [ZODefaults.epsilon]
        @Flag(help: "Leave the per-draw records out of the JSON.") var noRecords = false
        @Option(
            help:
                """
                Monte Carlo samples of the linearised cosine (no forward passes) for estimators without a closed \
                form (0: skip).
                """
        )
        var linearisedSamples: Int = 0

        struct LinearisedCosine: Codable {
            let estimator: String
            let samples: Int
            let cosine: ConfidenceInterval
        }

        struct QualityOutput: Codable {
            let reports: [EstimatorQualityReport]
            let linearisedCosines: [LinearisedCosine]
        }

        func validate() throws {
            try Bounds.check(linearisedSamples, 0...10_000_000, "--linearised-samples")
            try Bounds.check(draws, 2...1_000_000, "--draws")
            guard !epsilon.isEmpty else { throw ValidationError("--epsilon needs at least one value") }
            for e in epsilon { try Bounds.positive(e, "--epsilon") }
            for e in estimators {
                do { _ = try ScaleEstimatorSpec(parsing: e) } catch { throw ValidationError("\(error)") }
            }
        }

        func run() throws {
            let specs = try estimators.map { try ScaleEstimatorSpec(parsing: $0) }
            let problem = try options.load()
            let g = try problem.gradient()
            let key = PRNGKey(seed: options.seed).fold(in: .estimatorQualityDraws)
            let reports = try epsilon.map { eps in
                try ZOCheck.EstimatorQuality.measure(
                    problem, estimators: specs, draws: draws, epsilon: eps, key: key, gradient: g
                ) { name, k in
                    ScaleOptions.progress("\r\(name) ε=\(eps): \(k)/\(draws)          ")
                }
            }
            ScaleOptions.progress("\r\n")
            let linearised = try specs.filter { _ in linearisedSamples > 0 }.map { spec in
                LinearisedCosine(
                    estimator: spec.name, samples: linearisedSamples,
                    cosine: try ZOCheck.EstimatorQuality.linearisedCosine(
                        problem, spec: spec, gradient: g, samples: linearisedSamples,
                        key: key
                    ) { name, k in
                        ScaleOptions.progress("\r\(name): \(k)/\(linearisedSamples)          ")
                    })
            }
            ScaleOptions.progress("\r\n")
            for report in reports { print(Self.render(report)) }
            if !linearised.isEmpty { print(Self.render(linearised, theory: reports.first)) }
            if let output = options.output {
                let saved = noRecords ? reports.map { $0.withoutRecords() } : reports
                try TextTable.writeJSON(
                    ScaleReport(
                        command: CommandLine.arguments.joined(separator: " "),
                        report: QualityOutput(reports: saved, linearisedCosines: linearised)), to: output)
            }
        }

        static func render(_ linearised: [LinearisedCosine], theory report: EstimatorQualityReport?) -> String {
            TextTable.render(
                header: ["estimator", "samples", "E cos(ĝ₀, g), Monte Carlo of the linearisation", "theory", ""],
                rows: linearised.map { l in
                    let theory = report?.rows.first { $0.estimator == l.estimator }?.theory
                    return [
                        l.estimator, "\(l.samples)", interval(l.cosine), theory.map { TextTable.sci($0.cosine) } ?? "—",
                        theory.map { $0.cosineExact ? "exact" : "approx." } ?? "—",
                    ]
                })
        }

        static func interval(_ i: ConfidenceInterval, _ digits: Int = 4) -> String {
            "\(TextTable.sci(i.estimate)) [\(TextTable.sci(i.lower)), \(TextTable.sci(i.upper))]"
        }

        static func render(_ r: EstimatorQualityReport) -> String {
            let s = r.problem.setup
            var out = "# \(CommandLine.arguments.joined(separator: " "))\n"
            out +=
                """
                # all-MiniLM-L6-v2, \(s.layers) layer(s), d = \(r.problem.parameterCount), \(s.batch) sentences \
                (≤ \(s.maxLength) tokens), seed \(s.seed), ε = \(r.epsilon)\n
                """
            out +=
                """
                # loss \(TextTable.fmt(r.loss, 5)), ‖g‖ = \(TextTable.sci(r.gradientNorm)), \
                \(TextTable.fmt(r.seconds, 1)) s; intervals are 95 %\n\n
                """
            out += TextTable.render(
                header: [
                    "estimator", "n", "theory E‖ĝ‖²/‖g‖²", "measured (plain)", "measured (control variate)", "÷ theory",
                    "linearised ĝ₀", "coef. rel. err", "s/draw",
                ],
                rows: r.rows.map { row in
                    [
                        row.estimator, "\(row.draws)", TextTable.sci(row.theory.secondMomentRatio),
                        interval(row.secondMomentRatio),
                        interval(row.secondMomentRatioControlled), interval(row.secondMomentRelativeToTheory),
                        interval(row.linearisedSecondMomentRatio), TextTable.sci(row.coefficientRelativeError),
                        TextTable.fmt(row.secondsPerDraw, 3),
                    ]
                })
            out +=
                "\n\n"
                + TextTable.render(
                    header: [
                        "estimator", "theory E cos", "exact?", "measured E cos", "control variate", "linearised cos₀",
                        "sign(c)=sign(c₀)", "rel. bias of E ĝ",
                    ],
                    rows: r.rows.map { row in
                        [
                            row.estimator, TextTable.sci(row.theory.cosine),
                            row.theory.cosineExact ? "exact" : "approx.",
                            interval(row.cosine), row.cosineControlled.map { interval($0) } ?? "—",
                            interval(row.linearisedCosine),
                            TextTable.fmt(row.signAgreement, 3), TextTable.fmt(row.theory.relativeBias, 3),
                        ]
                    })
            return out + "\n"
        }
    }
}
