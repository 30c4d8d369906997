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

    /// E‖ĝ‖² of `distribution` at gradient g and θ, from its exact moments (`ExactMomentsProviding`,
    /// Proofs/estimators.md): the expected value of the second-moment claims.
    static func exactSecondMoment(
        _ distribution: some ExactMomentsProviding, gradient g: [Double], at theta: Parameters<Double>
    ) throws -> Double {
        guard let moments = distribution.exactMoments(gradient: g, at: theta) else {
            throw ZOError(
                "no exact moments for this layout", at: "Checks.exactSecondMoment",
                fix: "use a layout the distribution's ExactMomentsProviding covers")
        }
        return moments.secondMoment
    }

    static func norm2(_ v: [Double]) -> Double { v.reduce(0) { $0 + $1 * $1 } }
    static func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }

    /// `count` estimates ĝ at θ. Independent draws use key `key.fold(in: k)` at step k; `sameKey` uses
    /// one key and consecutive steps (so lazily resampled factors are shared, as within a block).
    /// `use: .update` returns the direction the optimizer applies (regenerated), not the measured one.
    public static func estimates<D: PerturbationDistribution, O: Objective>(
        _ distribution: D, objective: O, at theta: Parameters<Double>, count: Int, key: PRNGKey, sameKey: Bool = false,
        scheme: DifferenceScheme = .central, epsilon: Double = ZODefaults.epsilon, samples: Int = 1,
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

    /// E ĝ = target, in two parts Holm-combined at α (each run at α/2):
    /// - directed t-tests along target/‖target‖, along ∇f − target when it differs, and along two random
    ///   directions (Bonferroni α/k each, Holm across them); a direction whose projections carry no
    ///   information is dropped — no spread and on target (e.g. ∇f − target for a masked estimator), or
    ///   exactly proportional to the first (SubZero's ĝ lies in a subspace that contains the target);
    /// - with `omnibus` (when n ≥ 10 d), `MeanChecks.omnibusMean`: Hotelling on the samples' support plus
    ///   an exact comparison on its null space, which catches a bias in any direction.
    /// Effects are in units of ‖target‖; the reported detectable effect is the omnibus's (any direction)
    /// when it runs, the directed one's (along the tested directions) otherwise. Proofs/statistics.md#omnibus.
    public static func unbiased(
        _ samples: [[Double]], target: [Double], gradient g: [Double]? = nil,
        alpha: Double, key: PRNGKey, name: String, required: Double? = nil, omnibus: Bool = true
    ) -> Verdict {
        var directions: [[Double]] = [target]
        var names = ["along E ĝ"]
        if let g, norm2(zip(g, target).map { $0 - $1 }) > 1e-12 * norm2(target) {
            directions.append(zip(g, target).map { $0 - $1 })
            names.append("along ∇f − E ĝ")
        }
        for k in 0..<2 {
            directions.append(
                RandomFill.gaussian(Double.self, count: target.count, key: key.fold(in: .randomDirection(k))))
            names.append("random direction \(k)")
        }
        let scale = norm2(target).squareRoot()
        let unit = directions.map { d -> [Double] in
            let n = norm2(d).squareRoot()
            return d.map { $0 / n }
        }
        var projections = unit.map { u in samples.map { dot($0, u) / scale } }
        var targets = unit.map { dot(target, $0) / scale }
        var dropped: [String] = []
        for k in stride(from: projections.count - 1, through: 1, by: -1)
        where uninformative(projections[k], target: targets[k], first: projections[0]) {
            dropped.append(names[k])
            projections.remove(at: k)
            targets.remove(at: k)
            names.remove(at: k)
        }
        let runOmnibus = omnibus && samples.count >= 10 * target.count
        let share = runOmnibus ? Multiplicity.bonferroni(alpha, tests: 2) : alpha
        var directed = MeanChecks.meanAlongDirections(
            projections, targets: targets, alpha: share, required: required, names: names)
        directed.check = "directed"
        directed.effectUnit = "× ‖E ĝ‖"
        directed.details += "; α split: Bonferroni α/\(projections.count) per direction, Holm across them"
        if !dropped.isEmpty { directed.details += "; dropped (no information): \(dropped.joined(separator: ", "))" }
        guard runOmnibus else {
            directed.check = name
            directed.details += "; directed only (omnibus needs n ≥ 10 d)"
            return directed
        }
        let whole = MeanChecks.omnibusMean(samples, target: target, alpha: share, scale: scale)
        var v = Multiplicity.holmCombined([directed, whole], alpha: alpha, name: name)
        v.detectableEffect = whole.detectableEffect.isFinite ? whole.detectableEffect : directed.detectableEffect
        v.effectUnit = whole.detectableEffect.isFinite ? "× ‖E ĝ‖ (any direction)" : "× ‖E ĝ‖"
        if let required, v.outcome == .pass, v.detectableEffect > required { v.outcome = .inconclusive }
        v.details += "; α split: α/2 directed, α/2 omnibus, Holm"
        return v
    }

    /// A direction whose projections cannot inform the test: no spread and on target, or exactly
    /// proportional to `first` (correlation ±1 to 1e-9).
    static func uninformative(_ values: [Double], target: Double, first: [Double]) -> Bool {
        let s = MeanChecks.Summary(values)
        if s.standardDeviation == 0 { return s.mean == target }
        let f = MeanChecks.Summary(first)
        guard f.standardDeviation > 0 else { return false }
        let covariance =
            zip(values, first).reduce(0.0) { $0 + ($1.0 - s.mean) * ($1.1 - f.mean) } / Double(max(values.count - 1, 1))
        return abs(covariance / (s.standardDeviation * f.standardDeviation)) > 1 - 1e-9
    }

    /// E‖ĝ‖² = expected: a t-test on ‖ĝ‖² values (n large: CLT); effect relative to `expected`.
    public static func secondMoment(
        _ samples: [[Double]], expected: Double, alpha: Double, name: String, required: Double? = nil
    ) -> Verdict {
        let ratios = samples.map { norm2($0) / expected }
        var v = MeanChecks.scalarMean(ratios, target: 1, alpha: alpha, required: required, name: name)
        v.effectUnit = "relative"
        return v
    }
}

// The scaffold of the moment claims, so that each claim states only what differs: its bed (layout,
// gradient, θ), its distribution, its sizes and its name. Draw k is step k under
// `context.key.fold(in: .draws).fold(in: k)`; random test directions come from the claim's root key.
extension Checks {
    /// A claim's quadratic: f(θ) = ⟨g, θ⟩ on `objective.layout`, measured at `theta`.
    struct Bed {
        let objective: Linear
        let theta: Parameters<Double>
        var layout: ParameterLayout { objective.layout }
        var g: [Double] { objective.g }
    }

    /// An m×n matrix with a rank-2 gradient G (a low-rank quadratic's, from `.problem`), at θ = 0.
    static func lowRankBed(m: Int, n: Int, context: ClaimContext) throws -> Bed {
        let layout = try ParameterLayout.matrix(rows: m, cols: n)
        let g = try lowRankGradient(m: m, n: n, rank: 2, key: context.key.fold(in: .problem))
        return Bed(objective: Linear(layout: layout, g: g), theta: Parameters(zeros: layout))
    }

    /// A vector of d parameters with g ~ N(0, I) (from `.problem`), at θ = 0, or at θ ~ N(0, I) (from
    /// `.parameters`) when `randomTheta` (Sparse MeZO's mask is a function of θ).
    static func gaussianBed(dimension d: Int, context: ClaimContext, randomTheta: Bool = false) throws -> Bed {
        let layout = try ParameterLayout.vector(count: d)
        let theta =
            randomTheta
            ? try Parameters<Double>(
                layout: layout,
                values: RandomFill.gaussian(Double.self, count: d, key: context.key.fold(in: .parameters)))
            : Parameters<Double>(zeros: layout)
        let g = RandomFill.gaussian(Double.self, count: d, key: context.key.fold(in: .problem))
        return Bed(objective: Linear(layout: layout, g: g), theta: theta)
    }

    /// `count` estimates of `distribution` on the bed (`estimates`, key `.draws`).
    static func draws<D: PerturbationDistribution>(
        _ distribution: D, bed: Bed, count: Int, context: ClaimContext, sameKey: Bool = false, samples: Int = 1,
        use: PerturbationUse = .measurement
    ) throws -> [[Double]] {
        try estimates(
            distribution, objective: bed.objective, at: bed.theta, count: count, key: context.key.fold(in: .draws),
            sameKey: sameKey, samples: samples, use: use)
    }

    /// The directed-unbiasedness claim: `count` draws, E ĝ = `target` (default the bed's g) by `unbiased`
    /// at α (the claim's resolved α); `gradient` adds the direction ∇f − target.
    static func unbiasedClaim<D: PerturbationDistribution>(
        _ distribution: D, bed: Bed, count: Int, target: [Double]? = nil, gradient: [Double]? = nil,
        alpha: Double, context: ClaimContext, use: PerturbationUse = .measurement, name: String
    ) throws -> Verdict {
        let samples = try draws(distribution, bed: bed, count: count, context: context, use: use)
        return unbiased(
            samples, target: target ?? bed.g, gradient: gradient, alpha: alpha, key: context.key, name: name)
    }

    /// The second-moment claim: `count` draws of `distribution`, E‖ĝ‖² against the exact value of `theory`
    /// (`ExactMomentsProviding`; the correct distribution, also when `distribution` is a planted fault).
    static func secondMomentClaim<D: PerturbationDistribution>(
        _ distribution: D, theory: some ExactMomentsProviding, bed: Bed, count: Int, alpha: Double,
        context: ClaimContext, name: String
    ) throws -> Verdict {
        let samples = try draws(distribution, bed: bed, count: count, context: context)
        return secondMoment(
            samples, expected: try exactSecondMoment(theory, gradient: bed.g, at: bed.theta), alpha: alpha, name: name)
    }
}
