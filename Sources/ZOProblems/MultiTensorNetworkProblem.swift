import ZOCore

/// A quadratic over a network-like layout that mixes matrices and vectors, so that per-tensor
/// machinery (low-rank perturbations on matrices, MeZO's z on vectors, weight-decay rules by
/// shape) is exercised with everything still exact.
///
///     f(θ) = Σ_{matrix t} ½‖A_t (W_t − W*_t) B_t‖²_F + Σ_{vector t} ½ Σ_i h_{t,i} (θ_{t,i} − θ*_{t,i})²
///     ∇_{W_t} f = A_tᵀA_t (W_t − W*_t) B_t B_tᵀ,   ∇_{θ_t} f = h_t ⊙ (θ_t − θ*_t),   f* = 0 at θ*
///
/// For a matrix tensor (R, C): A_t (R, R) and B_t (C, C) have rank r with singular values
/// σ_i = 1/√(i+1), i < r (orthonormal factors from keyed Gaussians, as in `LowRankMatrixQuadratic`);
/// for a vector tensor h_{t,i} = 0.1 + 0.9u, u keyed uniform [0, 1). Targets are keyed N(0, 1).
///
/// The Hessian is block diagonal, one block per tensor: (A_tᵀA_t) ⊗ (B_tB_tᵀ) with eigenvalues
/// 1/((i+1)(j+1)) for i, j < r (and zeros), and diag(h_t). The spectrum is the union (d values),
/// L = max = 1 (the i = j = 0 product), ∇f_ε = ∇f (quadratic). The batch selection is ignored.
public struct MultiTensorNetworkProblem<T: ZOScalar>: SyntheticProblem {
    public typealias Scalar = T

    enum Block: Sendable, Hashable {
        case matrix(KroneckerQuadratic)
        case diagonal(h: [Double], center: [Double])
    }

    public let layout: ParameterLayout
    /// Rank r of every A_t and B_t.
    public let rank: Int
    let blocks: [Block]
    let startKey: PRNGKey

    /// - Parameters:
    ///   - tensors: names and shapes ([n] vector or [rows, cols] matrix), in buffer order.
    ///   - rank: 1 ≤ r ≤ min(rows, cols) of every matrix tensor.
    ///   - key: determines every A_t, B_t, h_t, target, and the initial point.
    public init(tensors: [(name: String, shape: [Int])], rank: Int, key: PRNGKey) throws(ZOError) {
        let location = "MultiTensorNetworkProblem.init"
        let layout = try ParameterLayout(tensors)
        let limit = layout.tensors.filter { $0.kind == .matrix }.map { min($0.rows, $0.cols) }.min() ?? Int.max
        try Validate.rank(rank, "rank", limit: limit, at: location)
        let sigma = (0..<rank).map { 1 / Double($0 + 1).squareRoot() }
        var blocks: [Block] = []
        for (t, spec) in layout.tensors.enumerated() {
            let k = key.fold(in: t)
            switch spec.kind {
            case .matrix:
                blocks.append(
                    .matrix(
                        try KroneckerQuadratic(
                            m: spec.rows, n: spec.cols, p: spec.rows, q: spec.cols,
                            sigmaA: sigma, sigmaB: sigma, key: k, at: location)))
            case .vector:
                let u = RandomFill.uniform(Double.self, count: spec.count, key: k.tagged(.spectrum))
                blocks.append(
                    .diagonal(
                        h: u.map { 0.1 + 0.9 * $0 },
                        center: RandomFill.gaussian(Double.self, count: spec.count, key: k.tagged(.target))))
            }
        }
        self.layout = layout
        self.rank = rank
        self.blocks = blocks
        self.startKey = key.tagged(.initial)
    }

    /// The standard small network layout: "layer0.weight" (m, n), "layer0.bias" (m),
    /// "layer1.weight" (p, m), "norm.gain" (p).
    public init(m: Int = 16, n: Int = 12, p: Int = 8, rank: Int = 2, key: PRNGKey) throws(ZOError) {
        try Validate.sizes([("m", m), ("n", n), ("p", p)], at: "MultiTensorNetworkProblem.init")
        try self.init(
            tensors: [
                ("layer0.weight", [m, n]), ("layer0.bias", [m]),
                ("layer1.weight", [p, m]), ("norm.gain", [p]),
            ],
            rank: rank, key: key)
    }

    public var name: String { "multi-tensor-quadratic(d=\(layout.count), tensors=\(layout.tensors.count), r=\(rank))" }
    public var optimalValue: Double? { 0 }
    public var smoothness: Double? {
        blocks.map { block -> Double in
            switch block {
            case .matrix(let q): return q.largestEigenvalue
            case .diagonal(let h, _): return h.max() ?? 0
            }
        }.max()
    }

    /// All d eigenvalues, descending.
    public var hessianSpectrum: [Double]? {
        blocks.flatMap { block -> [Double] in
            switch block {
            case .matrix(let q): return q.spectrum
            case .diagonal(let h, _): return h
            }
        }.sorted(by: >)
    }

    /// θ* in layout order (rounded to `T`).
    public var minimizer: Parameters<T> {
        let values = blocks.flatMap { block -> [Double] in
            switch block {
            case .matrix(let q): return q.target
            case .diagonal(_, let c): return c
            }
        }
        return (try? Parameters(layout: layout, values: scalars(values))) ?? Parameters(zeros: layout)
    }

    /// Applies `body` to each block with the block's slice of `x` (Double, layout order).
    private func eachBlock(_ x: [Double], _ body: (Block, ArraySlice<Double>) -> Void) {
        for (t, spec) in layout.tensors.enumerated() { body(blocks[t], x[spec.range]) }
    }

    public func loss(_ parameters: Parameters<T>, batch: BatchSelection) throws -> Double {
        try checkLayout(parameters, layout, at: "MultiTensorNetworkProblem.loss")
        var total = 0.0
        eachBlock(doubles(parameters.values)) { block, x in
            switch block {
            case .matrix(let q):
                total += q.displacement(Array(x)).withUnsafeBufferPointer { q.loss(displacement: $0) }
            case .diagonal(let h, let c):
                var s = 0.0
                for (i, v) in x.enumerated() { s += h[i] * (v - c[i]) * (v - c[i]) }
                total += 0.5 * s
            }
        }
        return total
    }

    /// H (x − θ*) blockwise (the gradient), or H x with `displacement: false` (the HVP).
    private func hessianTimes(_ x: [Double], displacement: Bool) -> [Double] {
        var out: [Double] = []
        out.reserveCapacity(x.count)
        eachBlock(x) { block, v in
            switch block {
            case .matrix(let q):
                let d = displacement ? q.displacement(Array(v)) : Array(v)
                out += d.withUnsafeBufferPointer { q.hessianTimes($0) }
            case .diagonal(let h, let c):
                for (i, value) in v.enumerated() { out.append(h[i] * (displacement ? value - c[i] : value)) }
            }
        }
        return out
    }

    public func gradient(_ parameters: Parameters<T>, batch: BatchSelection) throws -> [T] {
        try checkLayout(parameters, layout, at: "MultiTensorNetworkProblem.gradient")
        return scalars(hessianTimes(doubles(parameters.values), displacement: true))
    }

    /// H v blockwise; nil if v does not have d entries.
    public func hessianVectorProduct(_ v: [T]) -> [T]? {
        guard let x = checkedVector(v, count: layout.count) else { return nil }
        return scalars(hessianTimes(x, displacement: false))
    }

    /// ∇f_ε = ∇f (quadratic); nil on a layout mismatch.
    public func smoothedGradient(_ parameters: Parameters<T>, epsilon: Double) -> [T]? {
        try? gradient(parameters)
    }

    /// f_ε(θ) = f(θ) + ε² tr H / 2.
    public func smoothedLoss(_ parameters: Parameters<T>, epsilon: Double) throws -> Double {
        try loss(parameters) + 0.5 * epsilon * epsilon * (hessianSpectrum ?? []).reduce(0, +)
    }

    /// θ₀ with keyed N(0, 1) entries.
    public func initialPoint() -> Parameters<T> {
        var p = Parameters<T>(zeros: layout)
        p.values.withUnsafeMutableBufferPointer { T.fillGaussian($0, key: startKey, offset: 0) }
        return p
    }
}
