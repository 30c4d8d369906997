import ZOCore

/// Planted faults (mutants) for power mode: each is a realistic bug, and `caughtBy` names the claims
/// whose checks must flag it. `zocheck audit --power` reports how often each is caught at CI sizes.
public enum PlantedFault: String, CaseIterable, Codable, Sendable {
    /// LOZO scaled by 1/r² instead of 1/r.
    case lozoInverseRSquared = "lozo-scale-1/r²"
    /// The central difference without its ½ (c = (f₊ − f₋)/ε).
    case droppedHalf = "dropped-factor-½"
    /// SubZero with Gaussian U, V (entries N(0, 1/m), N(0, 1/n)) instead of orthonormal bases.
    case subZeroNotOrthonormal = "subzero-U-not-orthonormalised"
    /// LOZO whose V is resampled every step instead of every ν steps.
    case lozoVEveryStep = "lozo-V-every-step"
    /// Sparse MeZO taking its mask from the perturbed weights θ + εz.
    case sparseMaskFromPerturbed = "sparse-mask-from-perturbed"
    /// A one-sided difference where the claim is about the central one, on a non-quadratic.
    case oneSidedNonQuadratic = "one-sided-on-non-quadratic"
    /// A Gaussian estimator whose second moment is d‖g‖² instead of (d + 2)‖g‖² (sphere-normalised).
    case dInsteadOfDPlus2 = "d-instead-of-d+2"

    /// The scale claims (transformer, `zocheck audit --power --scale`) that must catch the fault: a wrong
    /// gradient scale moves the law part of the moment claims.
    public var caughtAtScaleBy: [String] {
        switch self {
        case .droppedHalf: ["SCALE-MEZO-MOMENTS", "SCALE-SPARSE-MOMENTS"]
        case .lozoInverseRSquared: ["SCALE-LOZO-SECOND-MOMENT"]
        default: []
        }
    }

    public var caughtBy: [String] {
        switch self {
        case .lozoInverseRSquared: ["LOZO-UNBIASED"]
        case .droppedHalf: ["MEZO-UNBIASED"]
        case .subZeroNotOrthonormal: ["SUBZERO-RELATIVE-VARIANCE"]
        case .lozoVEveryStep: ["LOZO-CONDITIONAL-PROJECTION"]
        case .sparseMaskFromPerturbed: ["SPARSE-MASK-UNPERTURBED"]
        case .oneSidedNonQuadratic: ["CENTRAL-COEFFICIENT-ORDER"]
        case .dInsteadOfDPlus2: ["MEZO-SECOND-MOMENT"]
        }
    }
}

/// A distribution whose gradient scale is multiplied by `factor` (scaling mutants).
public struct Rescaled<Base: PerturbationDistribution>: PerturbationDistribution {
    public let base: Base
    public let factor: Double
    public var name: String { "\(base.name)×\(factor)" }
    public init(base: Base, factor: Double) {
        self.base = base
        self.factor = factor
    }
    public func validate(_ layout: ParameterLayout) throws(ZOError) { try base.validate(layout) }

    public struct Sample: Perturbation {
        public let inner: Base.Sample
        public let factor: Double
        public var layout: ParameterLayout { inner.layout }
        public func fill<T: ZOScalar>(tensor t: Int, into buffer: UnsafeMutableBufferPointer<T>) {
            inner.fill(tensor: t, into: buffer)
        }
        public func gradientScale(tensor t: Int) -> Double { factor * inner.gradientScale(tensor: t) }
        public func lowRankFactors(tensor t: Int) -> LowRankFactors? { inner.lowRankFactors(tensor: t) }
        // Z is the inner one: forward its streamed additions (the defaults would materialise whole tensors,
        // the embedding's 11.7M values per perturbed forward pass of the transformer).
        public func addScaled<T: ZOScalar>(_ alpha: Double, tensor t: Int, to w: UnsafeMutableBufferPointer<T>) {
            inner.addScaled(alpha, tensor: t, to: w)
        }
        public func addScaled<T: ZOScalar>(
            _ alpha: Double, tensor t: Int, elements range: Range<Int>, to w: UnsafeMutableBufferPointer<T>
        ) {
            inner.addScaled(alpha, tensor: t, elements: range, to: w)
        }
    }

    public func perturbation<T: ZOScalar>(step: Int, key: PRNGKey, parameters: Parameters<T>, use: PerturbationUse)
        throws(ZOError) -> Sample
    {
        Sample(inner: try base.perturbation(step: step, key: key, parameters: parameters, use: use), factor: factor)
    }
}

/// SubZero with Gaussian bases (not orthonormalised), scaled so that E[UUᵀ] = (r/m) I as for Haar U.
public struct SubZeroGaussianBases: LowRankDistribution {
    public let rank: Int
    public let refreshInterval: Int
    public var name: String { "subzero-gaussian-bases(r=\(rank))" }
    public static let method = "SubZeroGaussianBases"
    public init(rank: Int, refreshInterval: Int) {
        self.rank = rank
        self.refreshInterval = refreshInterval
    }

    public struct Sample: LowRankSample {
        public let layout: ParameterLayout
        public let key: PRNGKey
        public let step: Int
        public let rank: Int
        public let refreshInterval: Int

        /// The (non-orthonormal) bases of tensor t for this step's block.
        public func bases(tensor t: Int) -> (u: [Double], v: [Double])? {
            let spec = layout.tensors[t]
            guard spec.kind == .matrix else { return nil }
            let block = step / refreshInterval
            let u = RandomFill.gaussian(
                Double.self, count: spec.rows * rank,
                key: PerturbationKey.key(key, role: .lowRankU, index: block, tensor: t)
            )
            .map { $0 / Double(spec.rows).squareRoot() }
            let v = RandomFill.gaussian(
                Double.self, count: spec.cols * rank,
                key: PerturbationKey.key(key, role: .lowRankV, index: block, tensor: t)
            )
            .map { $0 / Double(spec.cols).squareRoot() }
            return (u, v)
        }

        public func lowRankFactors(tensor t: Int) -> LowRankFactors? {
            guard let (u, v) = bases(tensor: t) else { return nil }
            let spec = layout.tensors[t]
            let (m, n, r) = (spec.rows, spec.cols, rank)
            let z0 = RandomFill.gaussian(
                Double.self, count: r * r, key: PerturbationKey.key(key, role: .core, index: step, tensor: t))
            let s = Double(m * n).squareRoot() / Double(r)
            var uz = [Double](repeating: 0, count: m * r)
            for i in 0..<m {
                for k in 0..<r {
                    var acc = 0.0
                    for l in 0..<r { acc += u[i * r + l] * z0[l * r + k] }
                    uz[i * r + k] = s * acc
                }
            }
            return LowRankFactors(rows: m, cols: n, rank: r, u: uz, v: v)
        }
    }

    public func perturbation<T: ZOScalar>(step: Int, key: PRNGKey, parameters: Parameters<T>, use: PerturbationUse)
        throws(ZOError) -> Sample
    {
        Sample(layout: parameters.layout, key: key, step: step, rank: rank, refreshInterval: refreshInterval)
    }
}

/// Sparse MeZO with the mask computed from θ + εz (the perturbed weights), the pitfall.
public struct SparseMaskFromPerturbed: PerturbationDistribution {
    public let sparsity: Double
    public let epsilon: Double
    public var name: String { "sparse-mezo-mask-from-perturbed(s=\(sparsity))" }
    public init(sparsity: Double, epsilon: Double) {
        self.sparsity = sparsity
        self.epsilon = epsilon
    }

    public func perturbation<T: ZOScalar>(step: Int, key: PRNGKey, parameters: Parameters<T>, use: PerturbationUse)
        throws(ZOError) -> SparseMeZO.Sample
    {
        var perturbed = parameters
        for t in parameters.layout.tensors.indices {
            perturbed.withTensor(t) { w in
                GaussianRGE.Sample.addScaledGaussian(
                    epsilon, key: PerturbationKey.key(key, role: .dense, index: step, tensor: t), to: w)
            }
        }
        return SparseMeZO.Sample(
            layout: parameters.layout, key: key, step: step,
            mask: SparseMeZO.mask(for: perturbed, sparsity: sparsity))
    }
}
