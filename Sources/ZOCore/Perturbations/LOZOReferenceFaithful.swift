/// **Faulty on purpose.** LOZO as the upstream reference code draws it, bug included, so that
/// the suite can show it catches a real bug (claims LOZO-REFERENCE-RNG-ORDER, LOZO-REFERENCE-UPDATE-BIAS).
///
/// The reference code re-seeds one global RNG stream per step and consumes it tensor by tensor.
/// When measuring at a step where V is resampled (t mod ν = 0) it draws V (n×r) and then U (m×r)
/// for each matrix; when applying the update it re-seeds and draws only U. So at resample steps
/// the update's U is taken from where the measured V was, and every later tensor is shifted:
/// the update moves along a direction that was never measured. At other steps the two agree.
///
/// Emulated here with one Gaussian stream per step (key `key.fold(in: step)`), consumed in
/// layout order: measurement at a resample step: [V₀, U₀, V₁, U₁, …, z_vectors]; update:
/// [U₀, U₁, …, z_vectors]. V between resamples is the V drawn at the block's first step.
/// Compare `LOZO`, whose keyed draws make this impossible (Proofs/pitfalls.md).
public struct LOZOReferenceFaithful: PerturbationDistribution {
    public let rank: Int
    public let lazyInterval: Int

    public init(rank: Int, lazyInterval: Int) throws(ZOError) {
        let reference = try LOZO(rank: rank, lazyInterval: lazyInterval)
        self.rank = reference.rank
        self.lazyInterval = reference.lazyInterval
    }

    public var name: String { "lozo-reference-faithful(r=\(rank),ν=\(lazyInterval))" }

    public func validate(_ layout: ParameterLayout) throws(ZOError) {
        try LowRank.validate(rank: rank, layout, method: "LOZOReferenceFaithful")
    }

    /// Offsets of each tensor's draws in a step's stream.
    struct StreamPlan: Sendable {
        var u: [Int] = []
        var v: [Int?] = []
        var dense: [Int] = []
    }

    static func plan(_ layout: ParameterLayout, rank: Int, drawsV: Bool) -> StreamPlan {
        var p = StreamPlan()
        var pos = 0
        for spec in layout.tensors {
            if spec.kind == .matrix {
                if drawsV {
                    p.v.append(pos)
                    pos += spec.cols * rank
                } else {
                    p.v.append(nil)
                }
                p.u.append(pos)
                pos += spec.rows * rank
                p.dense.append(-1)
            } else {
                p.u.append(-1)
                p.v.append(nil)
                p.dense.append(pos)
                pos += spec.count
            }
        }
        return p
    }

    public struct Sample: Perturbation {
        public let layout: ParameterLayout
        public let key: PRNGKey
        public let step: Int
        public let rank: Int
        public let lazyInterval: Int
        let stepPlan: StreamPlan
        let blockPlan: StreamPlan

        static func draw(_ key: PRNGKey, step: Int, offset: Int, count: Int) -> [Double] {
            [Double](unsafeUninitializedCapacity: count) { buf, n in
                Double.fillGaussian(buf, key: key.fold(in: step), offset: offset)
                n = count
            }
        }

        public func lowRankFactors(tensor t: Int) -> LowRankFactors? {
            let spec = layout.tensors[t]
            guard spec.kind == .matrix, let vOffset = blockPlan.v[t] else { return nil }
            let blockStart = (step / lazyInterval) * lazyInterval
            let u = Self.draw(key, step: step, offset: stepPlan.u[t], count: spec.rows * rank)
            let v = Self.draw(key, step: blockStart, offset: vOffset, count: spec.cols * rank)
            return LowRankFactors(rows: spec.rows, cols: spec.cols, rank: rank, u: u, v: v)
        }

        public func fill<T: ZOScalar>(tensor t: Int, into buffer: UnsafeMutableBufferPointer<T>) {
            if let f = lowRankFactors(tensor: t) {
                LowRank.writeProduct(f.u, f.v, rows: f.rows, cols: f.cols, rank: rank, scale: 1, into: buffer)
            } else {
                let z = Self.draw(key, step: step, offset: stepPlan.dense[t], count: layout.tensors[t].count)
                for i in z.indices { buffer[i] = T(z[i]) }
            }
        }

        public func gradientScale(tensor t: Int) -> Double {
            layout.tensors[t].kind == .matrix ? 1 / Double(rank) : 1
        }
    }

    public func perturbation<T: ZOScalar>(
        step: Int, key: PRNGKey, parameters: Parameters<T>,
        use: PerturbationUse
    ) throws(ZOError) -> Sample {
        guard step >= 0 else { throw ZOError("step must be ≥ 0, got \(step)", at: name, fix: "count steps from 0") }
        let layout = parameters.layout
        let resample = step % lazyInterval == 0
        // The bug: only the measurement draws V at a resample step; the update never does.
        let stepPlan = Self.plan(layout, rank: rank, drawsV: resample && use == .measurement)
        let blockPlan = Self.plan(layout, rank: rank, drawsV: true)
        return Sample(
            layout: layout, key: key, step: step, rank: rank, lazyInterval: lazyInterval,
            stepPlan: stepPlan, blockPlan: blockPlan)
    }
}
