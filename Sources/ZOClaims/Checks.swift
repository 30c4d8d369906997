import ZOCore
import ZOProblems
import ZOStats

/// Building blocks shared by the claim checks.
public enum Checks {
    /// f(θ) = ⟨g, θ⟩, a quadratic with H = 0: c = ⟨g, Z⟩ exactly for every ε, so ĝ has exactly the
    /// moments derived for quadratics (Proofs/estimators.md §Difference schemes).
    public struct Linear: DifferentiableObjective {
        public let layout: ParameterLayout
        public let g: [Double]
        public func loss(_ p: Parameters<Double>, batch: BatchSelection) throws -> Double {
            zip(g, p.values).reduce(0) { $0 + $1.0 * $1.1 }
        }
        public func gradient(_ p: Parameters<Double>, batch: BatchSelection) throws -> [Double] { g }
    }

    /// The (rank ≤ `rank`) gradient of a low-rank matrix quadratic at its initial point: a realistic G.
    public static func lowRankGradient(m: Int, n: Int, rank: Int, key: PRNGKey) throws -> [Double] {
        let problem = try LowRankMatrixQuadratic<Double>(m: m, n: n, rankA: rank, rankB: rank, key: key)
        return try problem.gradient(problem.initialPoint())
    }

    static func norm2(_ v: [Double]) -> Double { v.reduce(0) { $0 + $1 * $1 } }
    static func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }

    /// `count` estimates ĝ at θ. Independent draws use key `key.fold(in: k)` at step k; `sameKey` uses
    /// one key and consecutive steps (so lazily resampled factors are shared, as within a block).
    /// `use: .update` returns the direction the optimizer applies (regenerated), not the measured one.
    public static func estimates<D: PerturbationDistribution, O: Objective>(
        _ distribution: D, objective: O, at theta: Parameters<Double>, count: Int, key: PRNGKey, sameKey: Bool = false,
        scheme: DifferenceScheme = .central, epsilon: Double = 1e-3, samples: Int = 1,
        use: PerturbationUse = .measurement
    ) throws -> [[Double]] where O.Scalar == Double {
        let estimator = try ZOEstimator(distribution, epsilon: epsilon, scheme: scheme, samples: samples)
        var out: [[Double]] = []
        out.reserveCapacity(count)
        for k in 0..<count {
            let drawKey = sameKey ? key : key.fold(in: k)
            let e = try estimator.measure(objective, at: theta, step: k, key: drawKey)
            if use == .measurement {
                out.append(e.gradient())
            } else {
                let zs = try estimator.perturbations(step: k, key: drawKey, parameters: theta, use: .update)
                var g = [Double](repeating: 0, count: theta.count)
                for (j, z) in zs.enumerated() {
                    for (t, spec) in theta.layout.tensors.enumerated() {
                        let zt: [Double] = z.materialize(tensor: t)
                        let a = e.coefficients[j] * z.gradientScale(tensor: t) / Double(zs.count)
                        for i in 0..<spec.count { g[spec.offset + i] += a * zt[i] }
                    }
                }
                out.append(g)
            }
        }
        return out
    }

    /// E ĝ = target: directed t-tests along target/‖target‖, along g/‖g‖ when it differs, and along two
    /// random directions, Holm-combined at α. Effects are in units of ‖target‖ (relative).
    public static func unbiased(
        _ samples: [[Double]], target: [Double], gradient g: [Double]? = nil,
        alpha: Double, key: PRNGKey, name: String
    ) -> Verdict {
        var directions: [[Double]] = [target]
        var names = ["along E ĝ"]
        if let g, norm2(zip(g, target).map { $0 - $1 }) > 1e-12 * norm2(target) {
            directions.append(zip(g, target).map { $0 - $1 })
            names.append("along ∇f − E ĝ")
        }
        for k in 0..<2 {
            directions.append(RandomFill.gaussian(Double.self, count: target.count, key: key.fold(in: 7_000 + k)))
            names.append("random direction \(k)")
        }
        let scale = norm2(target).squareRoot()
        let unit = directions.map { d -> [Double] in
            let n = norm2(d).squareRoot()
            return d.map { $0 / n }
        }
        let projections = unit.map { u in samples.map { dot($0, u) / scale } }
        let targets = unit.map { dot(target, $0) / scale }
        var v = MeanChecks.meanAlongDirections(projections, targets: targets, alpha: alpha, names: names)
        v.check = name
        v.effectUnit = "× ‖E ĝ‖"
        return v
    }

    /// E‖ĝ‖² = expected: a t-test on ‖ĝ‖² values (n large: CLT); effect relative to `expected`.
    public static func secondMoment(_ samples: [[Double]], expected: Double, alpha: Double, name: String) -> Verdict {
        let ratios = samples.map { norm2($0) / expected }
        var v = MeanChecks.scalarMean(ratios, target: 1, alpha: alpha, name: name)
        v.effectUnit = "relative"
        return v
    }
}
