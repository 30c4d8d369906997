import Foundation
import ZOCore
import ZOStats

/// Side-by-side Monte Carlo comparison of gradient estimators at a fixed point of a differentiable
/// objective: alignment with the true gradient, second moment against the exact theory, and cost.
/// Every number is computed here from `draws` keyed estimates. Draw k uses step k and its own key
/// `key.fold(in: estimator index).fold(in: k)`, so draws are independent even for lazily resampled
/// distributions (their marginal moments are those of fresh sampling) and the intervals are valid.
public enum EstimatorComparison {
    public struct Row: Codable, Sendable {
        public let estimator: String
        public let draws: Int
        public let forwardPassesPerEstimate: Int
        /// Mean cosine similarity between ĝ and ∇f, its standard error and 95 % normal-approximation
        /// half-width z₀.₉₇₅·SE (`ConfidenceInterval`).
        public let cosineMean: Double
        public let cosineStandardError: Double
        public let cosineHalfWidth95: Double
        /// E‖ĝ‖² / ‖∇f‖², measured, with its standard error and 95 % half-width.
        public let secondMomentRatio: Double
        public let secondMomentRatioStandardError: Double
        public let secondMomentRatioHalfWidth95: Double
        /// The exact value on a quadratic (Proofs/estimators.md), when derived.
        public let theorySecondMomentRatio: Double?
        /// (measured − theory) / standard error.
        public let secondMomentZ: Double?
        /// ‖mean ĝ − E ĝ‖ / ‖∇f‖ (E ĝ from theory when known, else ∇f).
        public let relativeMeanError: Double
        /// ‖E ĝ − ∇f‖ / ‖∇f‖ from theory (0 for unbiased estimators), when derived.
        public let theoryRelativeBias: Double?
        public let secondsPerEstimate: Double
    }

    public static func run<O: DifferentiableObjective>(
        _ objective: O, at parameters: Parameters<O.Scalar>, estimators: [any GradientEstimator],
        draws: Int, key: PRNGKey, progress: ((String, Int) -> Void)? = nil
    ) throws -> [Row] {
        try Check.positive(draws, "draws", at: "EstimatorComparison.run")
        let g = try objective.gradient(parameters).map(Double.init)
        let g2 = g.reduce(0) { $0 + $1 * $1 }
        guard g2 > 0 else {
            throw ZOError(
                "the gradient is zero at this point", at: "EstimatorComparison.run",
                fix: "compare at a point away from a stationary point")
        }
        var rows: [Row] = []
        for (index, estimator) in estimators.enumerated() {
            let theory = estimator.exactMoments(gradient: g, at: parameters)
            let target = theory?.mean ?? g
            var cosines = MeanChecks.RunningSums()
            var ratios = MeanChecks.RunningSums()
            var passes = 0
            var mean = [Double](repeating: 0, count: g.count)
            let start = DispatchTime.now().uptimeNanoseconds
            let estimatorKey = key.fold(in: index)
            for draw in 0..<draws {
                let sample = try estimator.estimateGradient(
                    objective, at: parameters, step: draw, key: estimatorKey.fold(in: draw), batch: .full)
                passes = sample.forwardPasses
                var dot = 0.0
                var norm2 = 0.0
                for i in 0..<g.count {
                    let v = Double(sample.gradient[i])
                    dot += v * g[i]
                    norm2 += v * v
                    mean[i] += v
                }
                let cosine = norm2 > 0 ? dot / (norm2 * g2).squareRoot() : 0
                cosines.add(cosine)
                ratios.add(norm2 / g2)
                if let progress, draw % max(1, draws / 20) == 0 { progress(estimator.name, draw) }
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9 / Double(draws)
            let n = Double(draws)
            let cosineCI = ConfidenceInterval(estimate: cosines.mean, standardError: cosines.standardError)
            let ratioCI = ConfidenceInterval(estimate: ratios.mean, standardError: ratios.standardError)
            let (rMean, rSE) = (ratioCI.estimate, ratioCI.standardError)
            let theoryRatio = theory.map { $0.secondMoment / g2 }
            let z = theoryRatio.flatMap { rSE > 0 ? (rMean - $0) / rSE : nil }
            let meanError =
                zip(mean, target).reduce(0) { $0 + ($1.0 / n - $1.1) * ($1.0 / n - $1.1) }.squareRoot()
                / g2.squareRoot()
            let bias = theory.map { t in
                zip(t.mean, g).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot() / g2.squareRoot()
            }
            rows.append(
                Row(
                    estimator: estimator.name, draws: draws, forwardPassesPerEstimate: passes,
                    cosineMean: cosineCI.estimate, cosineStandardError: cosineCI.standardError,
                    cosineHalfWidth95: cosineCI.halfWidth, secondMomentRatio: rMean,
                    secondMomentRatioStandardError: rSE, secondMomentRatioHalfWidth95: ratioCI.halfWidth,
                    theorySecondMomentRatio: theoryRatio, secondMomentZ: z,
                    relativeMeanError: meanError, theoryRelativeBias: bias, secondsPerEstimate: seconds))
        }
        return rows
    }
}
