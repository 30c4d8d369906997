import ZOCore
import ZOStats

/// Deterministic checks (α = 0): a property that holds exactly, or up to a stated rounding bound.
public enum ExactChecks {
    /// A deterministic verdict: α = 0 (no false fails), p = 1 or 0. `tolerance` is what the statistic is
    /// compared with (in `unit`): the check fails on any violation beyond it, so it is reported as the
    /// detectable effect ("exact, tolerance …"), never as a power statement.
    public static func verdict(
        _ name: String, ok: Bool, statistic: Double, n: Int, tolerance: Double, unit: String, details: String
    ) -> Verdict {
        Verdict(
            check: name, statistic: statistic, pValue: ok ? 1 : 0, n: n, alpha: 0, detectableEffect: tolerance,
            effectUnit: "exact, tolerance in \(unit)", outcome: ok ? .pass : .fail, details: details)
    }

    /// Rank of every matrix perturbation ≤ r (GSL SVD, tolerance 1e-10·σ_max), over several steps.
    static func rankAtMost(_ d: some PerturbationDistribution, rank: Int, context: ClaimContext) throws -> Verdict {
        let layout = try ParameterLayout([("W", [12, 9]), ("b", [12]), ("V", [7, 10])])
        let theta = Parameters<Double>(zeros: layout)
        var worst = 0
        var checked = 0
        for step in 0..<6 {
            let z = try d.perturbation(step: step, key: context.key, parameters: theta, use: .measurement)
            for (t, spec) in layout.tensors.enumerated() where spec.kind == .matrix {
                let zt: [Double] = z.materialize(tensor: t)
                worst = max(worst, try LinearAlgebra.numericalRank(zt, rows: spec.rows, cols: spec.cols))
                checked += 1
            }
        }
        return verdict(
            "numerical rank ≤ \(rank)", ok: worst <= rank, statistic: Double(worst), n: checked,
            tolerance: Double(rank), unit: "numerical rank (SVD, 1e-10·σ_max)",
            details: "largest numerical rank \(worst) over \(checked) perturbations")
    }

    static func subZeroOrthonormal(context: ClaimContext) throws -> Verdict {
        let layout = try ParameterLayout([("W", [40, 30])])
        let theta = Parameters<Double>(zeros: layout)
        let sz = try SubZero(rank: 8, refreshInterval: 5)
        var worst = 0.0
        var fixedInBlock = true
        var previous: [Double]? = nil
        for step in 0..<10 {
            guard
                let (u, v) = try sz.perturbation(step: step, key: context.key, parameters: theta, use: .measurement)
                    .bases(tensor: 0)
            else {
                return verdict(
                    "orthonormal bases", ok: false, statistic: .nan, n: step, tolerance: 1e-12,
                    unit: "max |UᵀU − I|", details: "no bases for a matrix tensor")
            }
            worst = max(
                worst, LinearAlgebra.orthonormalityDefect(u, rows: 40, cols: 8),
                LinearAlgebra.orthonormalityDefect(v, rows: 30, cols: 8))
            if step % 5 != 0, let p = previous, p != u { fixedInBlock = false }
            previous = u
        }
        return verdict(
            "‖UᵀU − I‖_max, ‖VᵀV − I‖_max ≤ 1e-12", ok: worst <= 1e-12 && fixedInBlock, statistic: worst, n: 20,
            tolerance: 1e-12, unit: "max |UᵀU − I|",
            details: "worst defect \(worst); bases fixed within blocks: \(fixedInBlock)")
    }

    /// LOZO-M against a direct transcription of the recurrence across a V refresh (max abs difference ≤ 1e-12).
    static func lozoMomentumRecurrence(context: ClaimContext) throws -> Verdict {
        let (m, n, r) = (6, 4, 2)
        let layout = try ParameterLayout([("W", [m, n])])
        let g = RandomFill.gaussian(Double.self, count: m * n, key: context.key.fold(in: .problem))
        let objective = Checks.Linear(layout: layout, g: g)
        let estimator = try ZOEstimator(LOZO(rank: r, lazyInterval: 2), epsilon: ZODefaults.epsilon)
        var opt = try LOZOMomentum(layout: layout, learningRate: 0.1, beta: 0.8)
        var theta = try Parameters<Double>(
            layout: layout,
            values: RandomFill.gaussian(Double.self, count: m * n, key: context.key.fold(in: .startingPoint)))
        var nRef = [Double](repeating: 0, count: m * r)
        var vRef: [Double]? = nil
        var worst = 0.0
        for step in 0..<6 {
            let e = try estimator.measure(objective, at: theta, step: step, key: context.key)
            guard let f = e.samples[0].lowRankFactors(tensor: 0) else {
                throw ZOError("no factors", at: "LOZOM-PROJECTION", fix: "")
            }
            if let vOld = vRef, vOld != f.v {
                var projected = [Double](repeating: 0, count: m * r)
                for i in 0..<m {
                    for b in 0..<r {
                        for a in 0..<r {
                            let p = (0..<n).reduce(0.0) { $0 + vOld[$1 * r + a] * f.v[$1 * r + b] } / Double(n)
                            projected[i * r + b] += nRef[i * r + a] * p
                        }
                    }
                }
                nRef = projected
            }
            nRef = (0..<(m * r)).map { 0.8 * nRef[$0] + 0.2 * e.coefficients[0] * f.u[$0] }
            vRef = f.v
            var expected = theta
            for i in 0..<m {
                for j in 0..<n {
                    expected.values[i * n + j] -=
                        0.1 / Double(r) * (0..<r).reduce(0.0) { $0 + nRef[i * r + $1] * f.v[j * r + $1] }
                }
            }
            try opt.update(&theta, estimate: e, estimator: estimator)
            worst = max(worst, zip(theta.values, expected.values).map { abs($0 - $1) }.max() ?? 0)
        }
        return verdict(
            "LOZO-M equals its recurrence", ok: worst <= 1e-12, statistic: worst, n: 6, tolerance: 1e-12,
            unit: "max |Δθ|",
            details: "max |Δ| = \(worst) over 6 steps (3 refreshes)")
    }

    /// Regenerating a step's perturbation for the update gives the measured numbers, bit for bit.
    static func regenerationIdentical(_ d: some PerturbationDistribution, steps: Int, context: ClaimContext) throws -> (
        Bool, Int
    ) {
        let layout = try ParameterLayout([
            ("layer.weight", [6, 5]), ("layer.bias", [6]), ("out.weight", [4, 6]), ("norm", [4]),
        ])
        let theta = try Parameters<Double>(
            layout: layout,
            values: RandomFill.gaussian(Double.self, count: layout.count, key: context.key.fold(in: .parameters)))
        var mismatches = 0
        for step in (0..<steps).reversed() {
            let a: [Double] = try d.perturbation(step: step, key: context.key, parameters: theta, use: .measurement)
                .materialize()
            let b: [Double] = try d.perturbation(step: step, key: context.key, parameters: theta, use: .update)
                .materialize()
            if a != b { mismatches += 1 }
        }
        return (mismatches == 0, mismatches)
    }
}
