/// The exact first and second moments of one sample ĝ = c·scale·Z on a quadratic (where c = ⟨g, Z⟩
/// for every ε), as derived in Proofs/estimators.md. Used by reports and by the claim checks.
public struct ExactMoments: Sendable, Equatable {
    /// E[ĝ].
    public var mean: [Double]
    /// E‖ĝ‖².
    public var secondMoment: Double

    public init(mean: [Double], secondMoment: Double) {
        self.mean = mean
        self.secondMoment = secondMoment
    }

    /// Moments of the average of n i.i.d. samples: E‖ḡ‖² = ‖μ‖² + (E‖ĝ‖² − ‖μ‖²)/n.
    public func averaged(over n: Int) -> ExactMoments {
        let mu2 = mean.reduce(0) { $0 + $1 * $1 }
        return ExactMoments(mean: mean, secondMoment: mu2 + (secondMoment - mu2) / Double(n))
    }
}

/// Distributions that know their exact moments. `gradient` is ∇f at θ in layout order.
public protocol ExactMomentsProviding {
    /// nil where the formula is not derived for this layout (e.g. LOZO over several tensors).
    func exactMoments<T: ZOScalar>(gradient g: [Double], at parameters: Parameters<T>) -> ExactMoments?
}

@usableFromInline
func squaredNorm(_ v: [Double]) -> Double { v.reduce(0) { $0 + $1 * $1 } }

extension GaussianRGE: ExactMomentsProviding {
    /// E ĝ = g, E‖ĝ‖² = (d + 2)‖g‖² (MEZO-SECOND-MOMENT).
    public func exactMoments<T: ZOScalar>(gradient g: [Double], at parameters: Parameters<T>) -> ExactMoments? {
        ExactMoments(mean: g, secondMoment: Double(g.count + 2) * squaredNorm(g))
    }
}

extension SphereRGE: ExactMomentsProviding {
    /// E ĝ = g, E‖ĝ‖² = d‖g‖² (SPHERE-SECOND-MOMENT).
    public func exactMoments<T: ZOScalar>(gradient g: [Double], at parameters: Parameters<T>) -> ExactMoments? {
        ExactMoments(mean: g, secondMoment: Double(g.count) * squaredNorm(g))
    }
}

extension LOZO: ExactMomentsProviding {
    /// Single matrix m×n: E ĝ = G (paper scaling) or r·G (unscaled);
    /// E‖ĝ‖² = (mn + 2 + 2(m+n+1)/r)‖G‖² (paper), times r² unscaled (LOZO-SECOND-MOMENT). Holds at every
    /// step whatever ν, since U and V are marginally Gaussian at each step.
    public func exactMoments<T: ZOScalar>(gradient g: [Double], at parameters: Parameters<T>) -> ExactMoments? {
        guard parameters.layout.tensors.count == 1, let spec = parameters.layout.tensors.first, spec.kind == .matrix
        else { return nil }
        let (m, n, r) = (Double(spec.rows), Double(spec.cols), Double(rank))
        let factor = scaling == .paper ? 1.0 : r
        return ExactMoments(
            mean: g.map { factor * $0 },
            secondMoment: factor * factor * (m * n + 2 + 2 * (m + n + 1) / r) * squaredNorm(g))
    }
}

extension SubZero: ExactMomentsProviding {
    /// Single matrix m×n, U, V Haar (marginally at every step): with s² = mn/r² (reference or unbiased)
    /// E ĝ = G and E‖ĝ‖² = mn(1 + 2/r²)‖G‖²; unscaled E ĝ = (r²/mn) G and E‖ĝ‖² = (r² + 2) r²/(mn) ‖G‖²
    /// (SUBZERO-SECOND-MOMENT).
    public func exactMoments<T: ZOScalar>(gradient g: [Double], at parameters: Parameters<T>) -> ExactMoments? {
        guard parameters.layout.tensors.count == 1, let spec = parameters.layout.tensors.first, spec.kind == .matrix
        else { return nil }
        let mn = Double(spec.rows * spec.cols)
        let r2 = Double(rank * rank)
        switch scaling {
        case .reference, .unbiased:
            return ExactMoments(mean: g, secondMoment: mn * (1 + 2 / r2) * squaredNorm(g))
        case .unscaled:
            return ExactMoments(mean: g.map { r2 / mn * $0 }, secondMoment: (r2 + 2) * r2 / mn * squaredNorm(g))
        }
    }
}

extension SparseMeZO: ExactMomentsProviding {
    /// With the mask m of θ: E ĝ = m ⊙ g, E‖ĝ‖² = (d̂ + 2)‖m ⊙ g‖², d̂ = Σ mᵢ (SPARSE-SECOND-MOMENT).
    public func exactMoments<T: ZOScalar>(gradient g: [Double], at parameters: Parameters<T>) -> ExactMoments? {
        let mask: Mask
        switch maskMode {
        case .dynamic: mask = Self.mask(for: parameters, sparsity: sparsity)
        case .fixed(let m): mask = m
        }
        var masked = g
        var kept = 0
        for (t, spec) in parameters.layout.tensors.enumerated() {
            for i in 0..<spec.count {
                if mask.isKept(tensor: t, i) { kept += 1 } else { masked[spec.offset + i] = 0 }
            }
        }
        return ExactMoments(mean: masked, secondMoment: Double(kept + 2) * squaredNorm(masked))
    }
}
