import ArgumentParser
import Foundation
import ZOCheck

extension ZOCheckCommand {
    struct Compare: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compare every estimator on a low-rank matrix quadratic with an exact gradient.",
            discussion: """
                The problem is f(W) = ½‖A(W − W*)B‖²_F with W ∈ R^{m×n} and rank(A) = rank(B) = the gradient
                rank, so ∇f is exactly known and low rank (LOZO's premise). At the problem's initial point,
                each estimator is drawn --draws times, independently (a fresh key per draw, so lazy
                resampling does not correlate draws: LOZO and SubZero have the same per-step moments for
                any ν and F), and the table
                reports: forward passes per estimate, mean cosine with ∇f (95 % interval), E‖ĝ‖²/‖∇f‖²
                measured (95 % interval) next to the exact value from Proofs/estimators.md, its z-score, and
                the relative error of the mean. Claims: MEZO-SECOND-MOMENT, SPHERE-SECOND-MOMENT,
                LOZO-SECOND-MOMENT, SUBZERO-SECOND-MOMENT, SPARSE-SECOND-MOMENT, and the unbiasedness claims.
                """
        )

        @Option(help: "Rows m of the weight matrix.") var m: Int = 24
        @Option(help: "Columns n of the weight matrix.") var n: Int = 16
        @Option(help: "Rank of A and B, hence of the true gradient.") var gradientRank: Int = 2
        @Option(help: "Rank r of LOZO and SubZero perturbations.") var rank: Int = 2
        @Option(help: "Sparse MeZO sparsity (fraction not perturbed).") var sparsity: Double = 0.8
        @Option(help: "Perturbation scale ε.") var epsilon: Double = ZODefaults.epsilon
        @Option(help: "Monte Carlo draws per estimator.") var draws: Int = 4000
        @Option(help: "Also write the rows as JSON to this path (atomic write).") var output: String?
        @OptionGroup var common: CommonOptions

        func validate() throws {
            try Bounds.check(m, 1...4096, "--m")
            try Bounds.check(n, 1...4096, "--n")
            guard m * n <= 1 << 22 else {
                throw ValidationError(
                    "--m × --n must be ≤ 4194304 (2²²; got \(m) × \(n) = \(m * n)); pass smaller --m or --n")
            }
            try Bounds.check(gradientRank, 1...min(m, n), "--gradient-rank", fix: "at most min(--m, --n)")
            try Bounds.check(rank, 1...min(m, n), "--rank", fix: "at most min(--m, --n)")
            guard sparsity.isFinite, sparsity >= 0, sparsity < 1 else {
                throw ValidationError("--sparsity must be in [0, 1) (got \(sparsity))")
            }
            try Bounds.positive(epsilon, "--epsilon")
            try Bounds.check(draws, 1...10_000_000, "--draws")
            try OutputPath.checkFile(output, "--output")
        }

        func run() throws {
            let key = common.key
            let problem = try LowRankMatrixQuadratic<Double>(
                m: m, n: n, rankA: gradientRank, rankB: gradientRank, key: key.fold(in: .compareProblem))
            let theta = problem.initialPoint()
            let estimators: [any GradientEstimator] =
                [
                    try ZOEstimator(GaussianRGE(), epsilon: epsilon),
                    try ZOEstimator(SphereRGE(), epsilon: epsilon),
                    try ZOEstimator(GaussianRGE(), epsilon: epsilon, samples: 4),
                    try ZOEstimator(LOZO(rank: rank), epsilon: epsilon),
                    try ZOEstimator(SubZero(rank: rank, refreshInterval: 1), epsilon: epsilon),
                    try ZOEstimator(SparseMeZO(sparsity: sparsity), epsilon: epsilon),
                    try ZOEstimator(GaussianRGE(), epsilon: epsilon, scheme: .forward),
                    try CoordinateDifferences(epsilon: epsilon),
                    FirstOrderReference(),
                ] + ZOCheckExtensions.current.estimators.map(\.estimator)
            let g = try problem.gradient(theta)
            let stable = try LinearAlgebra.stableRank(g, rows: m, cols: n)
            let rows = try EstimatorComparison.run(
                problem, at: theta, estimators: estimators, draws: draws, key: key.fold(in: .comparisonDraws)
            ) { name, draw in
                FileHandle.standardError.write(Data("\r\(name): \(draw)/\(draws)          ".utf8))
            }
            FileHandle.standardError.write(Data("\r\n".utf8))
            let report = Report(
                command: CommandLine.arguments.joined(separator: " "), seed: common.seed,
                problem: "low-rank matrix quadratic m=\(m) n=\(n) rank(A)=rank(B)=\(gradientRank)",
                gradientStableRank: stable, rows: rows)
            if let output { try TextTable.writeJSON(report, to: output) }
            switch common.format {
            case .json:
                let encoder = JSONEncoder()
                encoder.nonConformingFloatEncodingStrategy = .convertToString(
                    positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                print(String(decoding: try encoder.encode(report), as: UTF8.self))
            case .text: print(report.table())
            }
        }
    }

    struct Report: Codable {
        let command: String
        let seed: UInt64
        let problem: String
        let gradientStableRank: Double
        let rows: [EstimatorComparison.Row]

        func table() -> String {
            var lines = [
                "# \(command)", "# seed \(seed); \(problem); stable rank of ∇f = \(fmt(gradientStableRank, 3))", "",
            ]
            let header = [
                "estimator", "passes", "cosine(ĝ,∇f) ±95%", "E‖ĝ‖²/‖∇f‖² ±95%", "theory", "z", "‖ḡ−Eĝ‖/‖∇f‖", "ms/est",
            ]
            let body = rows.map { r in
                [
                    r.estimator, "\(r.forwardPassesPerEstimate)",
                    "\(fmt(r.cosineMean, 4)) ± \(fmt(r.cosineHalfWidth95, 4))",
                    "\(fmt(r.secondMomentRatio, 2)) ± \(fmt(r.secondMomentRatioHalfWidth95, 2))",
                    r.theorySecondMomentRatio.map { fmt($0, 2) } ?? "—",
                    r.secondMomentZ.map { fmt($0, 2) } ?? "—",
                    fmt(r.relativeMeanError, 4), fmt(1000 * r.secondsPerEstimate, 3),
                ]
            }
            lines.append(TextTable.render(header: header, rows: body))
            lines.append("")
            lines.append(
                "theory = exact E‖ĝ‖²/‖∇f‖² on a quadratic (Proofs/estimators.md); z = (measured − theory)/SE.")
            return lines.joined(separator: "\n")
        }

        private func fmt(_ x: Double, _ digits: Int) -> String { TextTable.fmt(x, digits) }
    }
}
