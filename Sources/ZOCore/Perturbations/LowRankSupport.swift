/// A distribution whose matrix tensors get rank-`rank` perturbations Z_t = U Vᵀ and whose vector tensors
/// get MeZO's dense z: LOZO, SubZero, `LOZOReferenceFaithful`, the SubZero planted fault. Conformers state
/// how U and V are drawn (`Sample.lowRankFactors`); the protocol supplies the rest.
///
/// Default `validate`: 1 ≤ r ≤ min(m, n) for every matrix tensor (`SubZeroRankCapped` caps r per matrix
/// instead and does not conform).
public protocol LowRankDistribution: PerturbationDistribution where Sample: LowRankSample {
    var rank: Int { get }
    /// The method named in validation errors ("LOZO", "SubZero").
    static var method: String { get }
}

extension LowRankDistribution {
    public func validate(_ layout: ParameterLayout) throws(ZOError) {
        try LowRank.validate(rank: rank, layout, method: Self.method)
    }
}

/// One step's perturbation of a `LowRankDistribution`: matrix tensors from their factors
/// (`lowRankFactors`), the others dense. Default `fill`: the product U Vᵀ (`LowRankFactors.write`), or
/// `fillDense`; default `fillDense`: MeZO's keyed Gaussian (role `.dense`, this step, the tensor).
public protocol LowRankSample: Perturbation {
    var key: PRNGKey { get }
    var step: Int { get }
    /// Z_t for a tensor without factors (a vector).
    func fillDense<T: ZOScalar>(tensor t: Int, into buffer: UnsafeMutableBufferPointer<T>)
}

extension LowRankSample {
    @inlinable
    public func fillDense<T: ZOScalar>(tensor t: Int, into buffer: UnsafeMutableBufferPointer<T>) {
        T.fillGaussian(buffer, key: PerturbationKey.key(key, role: .dense, index: step, tensor: t), offset: 0)
    }

    @inlinable
    public func fill<T: ZOScalar>(tensor t: Int, into buffer: UnsafeMutableBufferPointer<T>) {
        // The element loop is `LowRankFactors.write`, pre-specialised for Float and Double: a default
        // implementation cannot be pre-specialised on T alone (`@_specialize` would need Self too), and
        // reached through protocol witnesses from other modules a generic loop runs ~10× slower.
        if let f = lowRankFactors(tensor: t) {
            f.write(into: buffer)
        } else {
            fillDense(tensor: t, into: buffer)
        }
    }
}

/// Shared pieces of the low-rank distributions (LOZO, SubZero): rank validation and Gaussian factors.
enum LowRank {
    /// Throws unless 1 ≤ rank ≤ min(rows, cols) for every matrix tensor.
    static func validate(rank: Int, _ layout: ParameterLayout, method: String) throws(ZOError) {
        guard rank > 0 else {
            throw ZOError(
                "\(method) rank r must be ≥ 1, got \(rank)", at: method,
                fix: "pass a rank between 1 and min(m, n) of the smallest weight matrix")
        }
        for spec in layout.tensors where spec.kind == .matrix {
            guard rank <= min(spec.rows, spec.cols) else {
                throw ZOError(
                    """
                    \(method) rank r = \(rank) exceeds min(m, n) = \(min(spec.rows, spec.cols)) of tensor \
                    '\(spec.name)' (\(spec.rows)×\(spec.cols))
                    """,
                    at: method, fix: "use r ≤ \(min(spec.rows, spec.cols)), or exclude that tensor")
            }
        }
    }

    /// A Gaussian m×k matrix (row-major, Double) under `key`.
    static func gaussian(rows m: Int, cols k: Int, key: PRNGKey) -> [Double] {
        [Double](unsafeUninitializedCapacity: m * k) { buf, n in
            Double.fillGaussian(buf, key: key, offset: 0)
            n = m * k
        }
    }
}
