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

/// One tensor's share of the moments of ĝ = c·S·Z with c = Σ_s ⟨G_s, Z_s⟩ (a quadratic, or ε → 0), for a
/// distribution whose per-tensor blocks Z_t are independent with E Z_t = 0. With S_t the tensor's
/// gradient scale and G_t its gradient block (Proofs/estimators.md#multi-tensor-second-moment):
///   e_t = S_t² E‖Z_t‖²,  q_t = E⟨G_t, Z_t⟩²,  A_t = S_t² E[⟨G_t, Z_t⟩² ‖Z_t‖²],  S_t² q_t,
/// and E ĝ_t = `meanScale`·G_t (restricted to the mask for Sparse MeZO). A_t is E‖ĝ‖² when t is the
/// only tensor: the single-matrix formulas (LOZO-SECOND-MOMENT, SUBZERO-SECOND-MOMENT, …) are A_t.
public struct TensorMoments: Sendable, Equatable {
    /// Coordinates the distribution perturbs in this tensor: d_t, or d̂_t under a mask.
    public var dimension: Int
    /// ‖G_t‖² (every coordinate, masked or not).
    public var gradientNorm2: Double
    /// E ĝ_t = meanScale · G_t (on the mask's support for Sparse MeZO).
    public var meanScale: Double
    /// e_t = S_t² E‖Z_t‖².
    public var e: Double
    /// q_t = E⟨G_t, Z_t⟩².
    public var q: Double
    /// A_t = S_t² E[⟨G_t, Z_t⟩² ‖Z_t‖²].
    public var a: Double
    /// S_t² q_t = E[(S_t⟨G_t, Z_t⟩)²]: tensor t's share of the variance of p = Σ_t S_t⟨G_t, Z_t⟩ = ⟨ĝ, g⟩/c
    /// (the Gaussian cosine approximation).
    public var sq: Double

    public init(
        dimension: Int, gradientNorm2: Double, meanScale: Double, e: Double, q: Double, a: Double, sq: Double
    ) {
        self.dimension = dimension
        self.gradientNorm2 = gradientNorm2
        self.meanScale = meanScale
        self.e = e
        self.q = q
        self.a = a
        self.sq = sq
    }

    /// A dense Gaussian block in dimension d_t (MEZO-SECOND-MOMENT): e = d, q = ‖G‖², A = (d + 2)‖G‖².
    public static func gaussian(dimension d: Int, gradientNorm2 n2: Double) -> TensorMoments {
        let dd = Double(d)
        return TensorMoments(dimension: d, gradientNorm2: n2, meanScale: 1, e: dd, q: n2, a: (dd + 2) * n2, sq: n2)
    }

    /// E‖ĝ‖² over several tensors: (Σ_t e_t)(Σ_t q_t) + Σ_t (A_t − e_t q_t), from MULTI-TENSOR-MOMENTS
    /// summed over t (Proofs/estimators.md#multi-tensor-second-moment). For one tensor the same number is
    /// A_1 in exact arithmetic; `ExactMomentsProviding.exactMoments` then returns A_1 itself.
    public static func secondMoment(_ terms: [TensorMoments]) -> Double {
        let sumE = terms.reduce(0) { $0 + $1.e }
        let sumQ = terms.reduce(0) { $0 + $1.q }
        // ($0 + A) − eq, in this order: the order `ScaleTheory` has always printed.
        return sumE * sumQ + terms.reduce(0) { $0 + $1.a - $1.e * $1.q }
    }

    /// The Gaussian approximation of E cos(ĝ, g): √(2/π)·√(Σ_t S_t² q_t)/(√(Σ_t e_t)·‖g‖) (exact if
    /// p = Σ_t S_t⟨G_t, Z_t⟩ were Gaussian and independent of a constant w = Σ_t S_t²‖Z_t‖²;
    /// Proofs/scale.md#scale-theory, "Cosines").
    public static func approximateCosine(_ terms: [TensorMoments], gradientNorm2 g2: Double) -> Double {
        let sumE = terms.reduce(0) { $0 + $1.e }
        return (2 / Double.pi).squareRoot() * terms.reduce(0) { $0 + $1.sq }.squareRoot()
            / (sumE.squareRoot() * g2.squareRoot())
    }

    /// ‖G_t‖² of tensor `spec`'s block of g, summed in Double in element order.
    @inlinable
    public static func blockNorm2<G: ZOScalar>(_ g: [G], _ spec: TensorSpec) -> Double {
        // Float and Double routed to specialised loops (reached through `any ExactMomentsProviding`
        // this runs unspecialised, with a witness call per element); same sums, same bits.
        if G.self == Float.self {
            return g.withUnsafeBufferPointer { $0.withMemoryRebound(to: Float.self) { norm2Body($0, spec.range) } }
        } else if G.self == Double.self {
            return g.withUnsafeBufferPointer { $0.withMemoryRebound(to: Double.self) { norm2Body($0, spec.range) } }
        }
        return g.withUnsafeBufferPointer { norm2Body($0, spec.range) }
    }

    @inlinable
    static func norm2Body<G: ZOScalar>(_ g: UnsafeBufferPointer<G>, _ range: Range<Int>) -> Double {
        var n2 = 0.0
        for i in range {
            let v = Double(g[i])
            n2 += v * v
        }
        return n2
    }
}

/// Distributions that know their exact moments on a quadratic (Proofs/estimators.md). One implementation
/// per distribution: `tensorMoments` gives each tensor's terms, from which `exactMoments` follows (for
/// one tensor, the single-tensor formula A_1; for several, MULTI-TENSOR-MOMENTS summed over tensors).
/// Claims, experiments, notebooks and the scale theory all read their formulas from here.
public protocol ExactMomentsProviding {
    /// The terms of every tensor of `layout` at gradient g (layout order), in layout order; nil where
    /// they are not derived (a rank above min(m, n); Sparse MeZO's dynamic mask, which needs θ, and the
    /// sphere over several tensors, whose blocks are not independent: use `exactMoments`).
    func tensorMoments<G: ZOScalar>(gradient g: [G], layout: ParameterLayout) -> [TensorMoments]?
    /// E ĝ and E‖ĝ‖² at θ; nil where not derived. Default: from `tensorMoments` on θ's layout.
    func exactMoments<T: ZOScalar>(gradient g: [Double], at parameters: Parameters<T>) -> ExactMoments?
}

extension ExactMomentsProviding {
    public func exactMoments<T: ZOScalar>(gradient g: [Double], at parameters: Parameters<T>) -> ExactMoments? {
        combinedMoments(gradient: g, layout: parameters.layout)
    }

    /// E ĝ_t = meanScale_t·G_t; E‖ĝ‖² = A_1 for one tensor, the MULTI-TENSOR-MOMENTS sum otherwise.
    public func combinedMoments(gradient g: [Double], layout: ParameterLayout) -> ExactMoments? {
        guard let terms = tensorMoments(gradient: g, layout: layout), terms.count == layout.tensors.count else {
            return nil
        }
        var mean = g
        for (spec, t) in zip(layout.tensors, terms) where t.meanScale != 1 {
            for i in spec.range { mean[i] = t.meanScale * g[i] }
        }
        return ExactMoments(mean: mean, secondMoment: terms.count == 1 ? terms[0].a : TensorMoments.secondMoment(terms))
    }
}

@usableFromInline
func squaredNorm(_ v: [Double]) -> Double { v.reduce(0) { $0 + $1 * $1 } }

extension GaussianRGE: ExactMomentsProviding {
    /// Every tensor a Gaussian block in dimension d_t (MEZO-SECOND-MOMENT).
    public func tensorMoments<G: ZOScalar>(gradient g: [G], layout: ParameterLayout) -> [TensorMoments]? {
        layout.tensors.map { .gaussian(dimension: $0.count, gradientNorm2: TensorMoments.blockNorm2(g, $0)) }
    }

    /// E ĝ = g, E‖ĝ‖² = (d + 2)‖g‖² on any layout: all tensors together are one Gaussian block in
    /// dimension d (the MULTI-TENSOR-MOMENTS sum gives the same number, rounded differently).
    public func exactMoments<T: ZOScalar>(gradient g: [Double], at parameters: Parameters<T>) -> ExactMoments? {
        ExactMoments(mean: g, secondMoment: TensorMoments.gaussian(dimension: g.count, gradientNorm2: squaredNorm(g)).a)
    }
}

extension SphereRGE: ExactMomentsProviding {
    /// One tensor only (the sphere normalises over all tensors jointly): e = d, q = ‖g‖², A = d‖g‖².
    public func tensorMoments<G: ZOScalar>(gradient g: [G], layout: ParameterLayout) -> [TensorMoments]? {
        guard layout.tensors.count == 1, let spec = layout.tensors.first else { return nil }
        let n2 = TensorMoments.blockNorm2(g, spec)
        let d = Double(spec.count)
        return [TensorMoments(dimension: spec.count, gradientNorm2: n2, meanScale: 1, e: d, q: n2, a: d * n2, sq: n2)]
    }

    /// E ĝ = g, E‖ĝ‖² = d‖g‖² on any layout (SPHERE-SECOND-MOMENT on the flat vector).
    public func exactMoments<T: ZOScalar>(gradient g: [Double], at parameters: Parameters<T>) -> ExactMoments? {
        ExactMoments(mean: g, secondMoment: Double(g.count) * squaredNorm(g))
    }
}

extension LOZO: ExactMomentsProviding {
    /// A_t/‖G_t‖² of an m×n matrix with the paper's 1/r scaling: mn + 2 + 2(m+n+1)/r
    /// (LOZO-SECOND-MOMENT; the unscaled estimate has r² times it). It holds at every step whatever ν,
    /// since U and V are marginally Gaussian at each step.
    public static func secondMomentRatio(rows m: Int, cols n: Int, rank r: Int) -> Double {
        Double(m * n) + 2 + 2 * Double(m + n + 1) / Double(r)
    }

    /// Matrices Z = UVᵀ with S = 1/r (paper) or 1 (unscaled): E‖UVᵀ‖² = mnr and E⟨G, UVᵀ⟩² = r‖G‖², so
    /// e = mn/r, q = r‖G‖², A = (mn + 2 + 2(m+n+1)/r)‖G‖², S²q = ‖G‖²/r, E ĝ = G (paper); unscaled
    /// e = mnr, A and S²q times r², E ĝ = r·G. Vectors: Gaussian blocks. Proofs/scale.md#scale-theory.
    public func tensorMoments<G: ZOScalar>(gradient g: [G], layout: ParameterLayout) -> [TensorMoments]? {
        let r = Double(rank)
        let factor = scaling == .paper ? 1.0 : r
        return layout.tensors.map { spec in
            let n2 = TensorMoments.blockNorm2(g, spec)
            guard spec.kind == .matrix else { return .gaussian(dimension: spec.count, gradientNorm2: n2) }
            let (m, n) = (Double(spec.rows), Double(spec.cols))
            let ratio = Self.secondMomentRatio(rows: spec.rows, cols: spec.cols, rank: rank)
            return TensorMoments(
                dimension: spec.count, gradientNorm2: n2, meanScale: factor,
                e: scaling == .paper ? m * n / r : m * n * r, q: r * n2, a: factor * factor * ratio * n2,
                sq: scaling == .paper ? n2 / r : r * n2)
        }
    }
}

extension SubZero: ExactMomentsProviding {
    /// A_t/‖G_t‖² of an m×n matrix at rank r, reference or unbiased scaling: mn(1 + 2/r²)
    /// (SUBZERO-SECOND-MOMENT).
    public static func secondMomentRatio(rows m: Int, cols n: Int, rank r: Int) -> Double {
        Double(m * n) * (1 + 2 / Double(r * r))
    }

    /// Tensor t's terms at rank r (U, V Haar, marginally at every step; Z₀ r×r Gaussian), with
    /// s² = mn/r²: reference (Z = sUZ₀Vᵀ, S = 1) e = mn, q = ‖G‖², A = mn(1 + 2/r²)‖G‖², E ĝ = G;
    /// unbiased (Z = UZ₀Vᵀ, S = mn/r²) the same ĝ, with e = m²n²/r², q = (r²/mn)‖G‖²; unscaled (S = 1)
    /// e = r², q = (r²/mn)‖G‖², A = (r² + 2) r²/(mn) ‖G‖², E ĝ = (r²/mn) G. nil for r > min(m, n).
    public static func tensorMoments(
        _ spec: TensorSpec, rank: Int, scaling: Scaling, gradientNorm2 n2: Double
    ) -> TensorMoments? {
        guard spec.kind == .matrix else { return .gaussian(dimension: spec.count, gradientNorm2: n2) }
        guard rank >= 1, rank <= min(spec.rows, spec.cols) else { return nil }
        let (m, n) = (Double(spec.rows), Double(spec.cols))
        let mn = m * n
        let r2 = Double(rank * rank)
        switch scaling {
        case .reference:
            return TensorMoments(
                dimension: spec.count, gradientNorm2: n2, meanScale: 1, e: mn, q: n2,
                a: secondMomentRatio(rows: spec.rows, cols: spec.cols, rank: rank) * n2, sq: n2)
        case .unbiased:
            return TensorMoments(
                dimension: spec.count, gradientNorm2: n2, meanScale: 1, e: mn * mn / r2, q: r2 / mn * n2,
                a: secondMomentRatio(rows: spec.rows, cols: spec.cols, rank: rank) * n2, sq: mn / r2 * n2)
        case .unscaled:
            return TensorMoments(
                dimension: spec.count, gradientNorm2: n2, meanScale: r2 / mn, e: r2, q: r2 / mn * n2,
                a: (r2 + 2) * r2 / mn * n2, sq: r2 / mn * n2)
        }
    }

    public func tensorMoments<G: ZOScalar>(gradient g: [G], layout: ParameterLayout) -> [TensorMoments]? {
        var terms: [TensorMoments] = []
        for spec in layout.tensors {
            guard
                let t = Self.tensorMoments(
                    spec, rank: rank, scaling: scaling, gradientNorm2: TensorMoments.blockNorm2(g, spec))
            else { return nil }
            terms.append(t)
        }
        return terms
    }
}

extension SparseMeZO: ExactMomentsProviding {
    /// With a fixed mask m: tensor t is a Gaussian block on its d̂_t kept coordinates, e = d̂_t,
    /// q = ‖m_t ⊙ G_t‖², A = (d̂_t + 2)‖m_t ⊙ G_t‖² (SPARSE-SECOND-MOMENT). nil for the dynamic mask
    /// (a function of θ: `exactMoments` resolves it).
    public func tensorMoments<G: ZOScalar>(gradient g: [G], layout: ParameterLayout) -> [TensorMoments]? {
        guard case .fixed(let mask) = maskMode else { return nil }
        return layout.tensors.enumerated().map { t, spec in
            var kept = 0
            var m2 = 0.0
            for i in 0..<spec.count where mask.isKept(tensor: t, i) {
                let v = Double(g[spec.offset + i])
                m2 += v * v
                kept += 1
            }
            var terms = TensorMoments.gaussian(dimension: kept, gradientNorm2: m2)
            terms.gradientNorm2 = TensorMoments.blockNorm2(g, spec)
            return terms
        }
    }

    /// With the mask m of θ: E ĝ = m ⊙ g, E‖ĝ‖² = (d̂ + 2)‖m ⊙ g‖², d̂ = Σ mᵢ, on any layout (one
    /// Gaussian block on the support; SPARSE-SECOND-MOMENT).
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
        return ExactMoments(
            mean: masked, secondMoment: TensorMoments.gaussian(dimension: kept, gradientNorm2: squaredNorm(masked)).a)
    }
}
