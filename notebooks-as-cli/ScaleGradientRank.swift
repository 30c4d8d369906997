import ArgumentParser
import Foundation
import ZOCheck

extension ZOCheckCommand.Scale {
    struct GradientRank: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "gradient-rank",
            abstract: "Stable rank ‖G‖²_F/‖G‖²₂ of the true gradient of every weight matrix (LOZO's low-rank premise).",
            discussion: """
                One backward pass on the fixed minibatch at the pretrained weights; for every weight matrix the table
                gives its shape, stable rank, stable rank / min(m, n), the share of ‖G‖²_F in the top 1 and 4 singular
                directions, and the i.i.d.-Gaussian baseline fraction mn/(√m+√n)²/min(m, n). Then the median and
                maximum fraction per role and over all attention and FFN matrices. Claim: SCALE-GRADIENT-LOW-STABLE-RANK.
                """
        )

        @OptionGroup var options: ScaleOptions

        func run() throws {
            let problem = try options.load()
            let report = try ZOCheck.GradientRank.measure(problem)
            if let output = options.output {
                try TextTable.writeJSON(
                    ScaleReport(command: CommandLine.arguments.joined(separator: " "), report: report), to: output)
            }
            print(Self.render(report))
        }

        static func render(_ r: GradientRankReport) -> String {
            let s = r.problem.setup
            var out = "# \(CommandLine.arguments.joined(separator: " "))\n"
            out +=
                """
                # all-MiniLM-L6-v2, \(s.layers) layer(s), \(s.batch) sentences (≤ \(s.maxLength) tokens, \
                \(r.problem.tokenCounts.reduce(0, +)) in all), seed \(s.seed)\n
                """
            out +=
                """
                # loss \(TextTable.fmt(r.loss, 5)), ‖g‖ = \(TextTable.sci(r.gradientNorm)), \
                \(TextTable.fmt(r.seconds, 1)) s\n\n
                """
            out += TextTable.render(
                header: [
                    "matrix", "shape", "‖G‖_F", "stable rank", "sr/min(m,n)", "top-1 energy", "top-4 energy",
                    "iid baseline",
                ],
                rows: r.matrices.map { m in
                    [
                        m.name, "\(m.rows)×\(m.cols)", TextTable.sci(m.frobeniusNorm), TextTable.fmt(m.stableRank, 2),
                        TextTable.fmt(m.stableRankFraction, 4), TextTable.fmt(m.energyInTop[0], 3),
                        TextTable.fmt(m.energyInTop[2], 3),
                        TextTable.fmt(m.iidBaselineFraction, 3),
                    ]
                })
            out +=
                "\n\n"
                + TextTable.render(
                    header: ["group", "matrices", "median stable rank", "median sr/min", "max sr/min", "max at"],
                    rows: r.summaries.map { g in
                        [
                            g.group, "\(g.count)", TextTable.fmt(g.medianStableRank, 2),
                            TextTable.fmt(g.medianFraction, 4),
                            TextTable.fmt(g.maxFraction, 4), g.worst,
                        ]
                    })
            return out
        }
    }
}

/// A report with the command line that produced it.
struct ScaleReport<R: Codable>: Codable {
    let command: String
    let report: R
}
