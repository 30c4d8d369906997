import ZOCore

/// The exact expected trajectory of ZO-SGD on `LeastSquares` (Proofs/rates.md#expected-trajectory).
///
/// ZO-SGD with the two-point Gaussian estimator restricted to a fixed mask m ∈ {0,1}^d (m = 1: MeZO;
/// a Sparse MeZO mask taken once from θ₀), exact differences (central, on a quadratic):
///
///     θ_{t+1} = θ_t − η ĝ_t,   ĝ_t = ⟨g_t, m⊙z_t⟩ (m⊙z_t),   g_t = H(θ_t − θ*),   H = diag(h).
///
/// With e_t = θ_t − θ* and v_{t,i} = E e_{t,i}² (over z₀ … z_{t−1}), the second moments of the
/// estimator, E[ĝ | θ] = M g and E[ĝĝᵀ | θ] = ‖m⊙g‖² M + 2 M g gᵀ M (Isserlis; M = diag(m), M² = M),
/// give a recursion that closes on the diagonal because H and M are diagonal:
///
///     v_{t+1,i} = v_{t,i} (1 − 2η m_i h_i + 2η² m_i h_i²) + η² m_i Σ_j m_j h_j² v_{t,j},   v_{0,i} = e_{0,i}².
///
/// Every expectation of a quadratic form of e_t follows exactly: E‖∇f(θ_t)‖² = Σ h_i² v_{t,i},
/// E‖m⊙∇f(θ_t)‖² = Σ m_i h_i² v_{t,i}, E f(θ_t) − f* = ½ Σ h_i v_{t,i}. O(d) per step, in Double.
public struct ExpectedZOSGDTrajectory: Sendable, Equatable {
    /// E‖∇f(θ_t)‖² for t = 0 … T.
    public let squaredGradient: [Double]
    /// E‖m⊙∇f(θ_t)‖² for t = 0 … T (equal to `squaredGradient` without a mask).
    public let maskedSquaredGradient: [Double]
    /// E f(θ_t) − f* for t = 0 … T.
    public let suboptimality: [Double]

    /// (1/n) Σ_{t<n} of a series (n ≤ T + 1): the average the rate theorems bound.
    public static func average(_ series: [Double], first n: Int) -> Double {
        series.prefix(n).reduce(0, +) / Double(max(1, min(n, series.count)))
    }
}

extension LeastSquares {
    /// The exact E‖∇f‖², E‖m⊙∇f‖² and E f − f* of ZO-SGD at learning rate η for `steps` steps from
    /// θ₀ (see `ExpectedZOSGDTrajectory`). `mask`: the kept coordinates (nil: all, MeZO).
    public func expectedZOSGDTrajectory(
        from start: Parameters<T>, learningRate eta: Double, steps: Int, mask: [Bool]? = nil
    ) throws(ZOError) -> ExpectedZOSGDTrajectory {
        let at = "LeastSquares.expectedZOSGDTrajectory"
        try checkLayout(start, layout, at: at)
        try Check.positive(eta, "learning rate η", at: at)
        guard steps >= 0 else { throw ZOError("steps must be ≥ 0, got \(steps)", at: at, fix: "pass steps ≥ 0") }
        let d = layout.count
        if let mask, mask.count != d {
            throw ZOError("mask has \(mask.count) entries for d = \(d)", at: at, fix: "pass one flag per coordinate")
        }
        let m = (mask ?? [Bool](repeating: true, count: d)).map { $0 ? 1.0 : 0.0 }
        let h = eigenvalues
        var v = (0..<d).map { i -> Double in
            let e = Double(start.values[i]) - center[i]
            return e * e
        }
        let keep = (0..<d).map { 1 - 2 * eta * m[$0] * h[$0] + 2 * eta * eta * m[$0] * h[$0] * h[$0] }
        var full: [Double] = [], masked: [Double] = [], gap: [Double] = []
        full.reserveCapacity(steps + 1); masked.reserveCapacity(steps + 1); gap.reserveCapacity(steps + 1)
        for t in 0...steps {
            var g2 = 0.0, mg2 = 0.0, f = 0.0
            for i in 0..<d {
                g2 += h[i] * h[i] * v[i]
                mg2 += m[i] * h[i] * h[i] * v[i]
                f += h[i] * v[i]
            }
            full.append(g2); masked.append(mg2); gap.append(0.5 * f)
            if t == steps { break }
            for i in 0..<d { v[i] = v[i] * keep[i] + eta * eta * m[i] * mg2 }
        }
        return ExpectedZOSGDTrajectory(squaredGradient: full, maskedSquaredGradient: masked, suboptimality: gap)
    }
}
