import Foundation
import ZOCore

/// How `LogisticRegression` finds λ_max(X̃ᵀX̃) for its smoothness constant.
public enum SpectralNormMethod: Sendable, Hashable {
    /// GSL's symmetric eigensolver on the smaller Gram matrix (X̃ᵀX̃ or X̃X̃ᵀ share their nonzero
    /// eigenvalues): exact to rounding, O(N·k² + k³) with k = min(N, d+1).
    case exact
    /// Power iteration on v ↦ X̃ᵀ(X̃v)/N from a keyed start, O(N·d) per step, stopped when the Rayleigh
    /// quotient changes by < 1e-14 relative or after 5000 steps. It approaches λ_max from below, to
    /// ~1e-12 relative unless the top eigenvalues cluster (then within the cluster's width).
    case powerIteration
    /// `.exact` when min(N, d+1) ≤ 2048, `.powerIteration` otherwise.
    case automatic

    static let exactLimit = 2048
}

/// L2-regularised logistic regression on keyed synthetic data: a smooth, convex, stochastic
/// objective (minibatches drawn from a key).
///
///     m_i = x_iᵀ w + b,   f_I(w, b) = (1/|I|) Σ_{i∈I} softplus(−y_i m_i) + (λ/2)‖w‖²
///     ∇_w f_I = (1/|I|) Σ_{i∈I} −y_i σ(−y_i m_i) x_i + λ w,   ∇_b f_I = (1/|I|) Σ_{i∈I} −y_i σ(−y_i m_i)
///
/// softplus(z) = log(1 + eᶻ) is evaluated as max(z, 0) + log1p(e^{−|z|}) and σ by the branch that
/// never exponentiates a positive number, so no margin overflows. The bias is not regularised.
///
/// Smoothness: with x̃ = (x, 1) and X̃ = [X, 1] (N, d+1), ∇²f = (1/N) Σ σ'(·) x̃ x̃ᵀ + λ diag(I_d, 0) and
/// σ' ≤ 1/4, so L = λ_max(X̃ᵀX̃)/(4N) + λ bounds the full-data Hessian. λ_max is computed at init, by
/// default exactly (GSL on the smaller of X̃ᵀX̃ and X̃X̃ᵀ) and by deterministic power iteration
/// beyond 2048 (see `SpectralNormMethod`); `smoothnessUpperBound` = ‖X̃‖²_F/(4N) + λ is the cruder
/// bound that needs neither. A minibatch objective has its own, larger constant.
/// f* has no closed form (nil); the Hessian is not constant (spectrum nil).
///
/// Data (generated init): X has keyed N(0, 1) entries; planted w* = (2/√d)·N(0, I) and b* = ½·N(0, 1),
/// so x_iᵀw* ~ N(0, 4); labels y_i = sign(x_iᵀ w* + b* + ξ_i), ξ_i = ln(u_i/(1 − u_i)) standard
/// logistic from keyed uniforms, so P(y_i = 1 | x_i) = σ(x_iᵀ w* + b*) exactly.
///
/// Batches: `.full` is all N examples; `.minibatch(key:size:)` is `size` distinct indices from a
/// partial Fisher–Yates shuffle driven by `RandomFill.uniform(Double.self, count: size, key:)`,
/// summed in ascending index order (so size = N reproduces `.full` bit for bit).
///
/// Parameters: vector tensors "w" (d) and "b" (1).
public struct LogisticRegression<T: ZOScalar>: SyntheticProblem {
    public typealias Scalar = T
    public let layout: ParameterLayout
    public let samples: Int
    public let dimension: Int
    /// λ ≥ 0, on w only.
    public let regularization: Double
    /// X, row-major (N, d).
    public let features: [Double]
    /// y ∈ {−1, +1} (N).
    public let labels: [Double]
    /// λ_max(X̃ᵀX̃)/(4N) + λ (power iteration).
    public let smoothness: Double?
    let planted: [Double]?
    let startKey: PRNGKey

    /// Generated data (see the type's documentation); `key` determines X, the labels and the initial point.
    public init(
        samples: Int, dimension: Int, regularization: Double = 1e-3,
        spectralNorm: SpectralNormMethod = .automatic, key: PRNGKey
    ) throws(ZOError) {
        try Validate.sizes([("samples", samples), ("dimension", dimension)], at: "LogisticRegression.init")
        let x = RandomFill.gaussian(Double.self, count: samples * dimension, key: key.tagged(.features))
        let (w, b) = Self.planted(dimension: dimension, key: key)
        let u = RandomFill.uniform(Double.self, count: samples, key: key.tagged(.labels))
        var y = [Double](repeating: 0, count: samples)
        for i in 0..<samples {
            var margin = b
            for j in 0..<dimension { margin += x[i * dimension + j] * w[j] }
            // u = 0 gives ξ = −∞ and y = −1, which is the right limit; no NaN can arise.
            let xi = Foundation.log(u[i]) - Foundation.log1p(-u[i])
            y[i] = margin + xi > 0 ? 1 : -1
        }
        try self.init(
            features: x, labels: y, samples: samples, dimension: dimension,
            regularization: regularization, planted: w + [b], spectralNorm: spectralNorm, key: key)
    }

    /// Explicit data: `features` row-major (samples, dimension), `labels` ±1. `key` determines the
    /// initial point (and the power-iteration start, when used).
    public init(
        features: [Double], labels: [Double], samples: Int, dimension: Int,
        regularization: Double = 1e-3, spectralNorm: SpectralNormMethod = .automatic,
        key: PRNGKey
    ) throws(ZOError) {
        try self.init(
            features: features, labels: labels, samples: samples, dimension: dimension,
            regularization: regularization, planted: nil, spectralNorm: spectralNorm, key: key)
    }

    init(
        features: [Double], labels: [Double], samples: Int, dimension: Int, regularization: Double,
        planted: [Double]?, spectralNorm: SpectralNormMethod, key: PRNGKey
    ) throws(ZOError) {
        let location = "LogisticRegression.init"
        try Validate.sizes([("samples", samples), ("dimension", dimension)], at: location)
        try Validate.count(features, samples * dimension, "features (samples × dimension)", at: location)
        try Validate.count(labels, samples, "labels", at: location)
        try Validate.finite(features, "features", at: location)
        if let i = labels.firstIndex(where: { $0 != 1 && $0 != -1 }) {
            throw ZOError("labels[\(i)] = \(labels[i]) is not ±1", at: location, fix: "encode the classes as −1 and +1")
        }
        guard regularization.isFinite, regularization >= 0 else {
            throw ZOError(
                "regularization λ = \(regularization) must be finite and ≥ 0", at: location, fix: "pass λ ≥ 0")
        }
        self.layout = try ParameterLayout([("w", [dimension]), ("b", [1])])
        self.samples = samples
        self.dimension = dimension
        self.regularization = regularization
        self.features = features
        self.labels = labels
        self.planted = planted
        self.startKey = key.tagged(.initial)
        let top = try Self.topGramEigenvalue(
            features, samples: samples, dimension: dimension,
            method: spectralNorm, key: key.tagged(.start), at: location)
        self.smoothness = top / 4 + regularization
    }

    /// λ_max(X̃ᵀX̃)/N, X̃ = [X, 1] (N, d+1).
    static func topGramEigenvalue(
        _ x: [Double], samples n: Int, dimension d: Int, method: SpectralNormMethod,
        key: PRNGKey, at location: String
    ) throws(ZOError) -> Double {
        let k = min(n, d + 1)
        let exact: Bool
        switch method {
        case .exact: exact = true
        case .powerIteration: exact = false
        case .automatic: exact = k <= SpectralNormMethod.exactLimit
        }
        guard exact else {
            return Dense.largestEigenvalue(dimension: d + 1, key: key) { v in
                // X̃ᵀ(X̃ v)/N without forming X̃ᵀX̃.
                var out = [Double](repeating: 0, count: d + 1)
                for i in 0..<n {
                    var s = v[d]
                    for j in 0..<d { s += x[i * d + j] * v[j] }
                    for j in 0..<d { out[j] += s * x[i * d + j] }
                    out[d] += s
                }
                return out.map { $0 / Double(n) }
            }
        }
        // X̃ᵀX̃ (d+1, d+1) and X̃X̃ᵀ (N, N) share their nonzero eigenvalues: diagonalise the smaller.
        var gram = [Double](repeating: 0, count: k * k)
        if n >= d + 1 {
            for i in 0..<n {
                let row = Array(x[(i * d)..<((i + 1) * d)]) + [1]
                for a in 0...d {
                    let ra = row[a]
                    for b in a...d { gram[a * k + b] += ra * row[b] }
                }
            }
        } else {
            for i in 0..<n {
                for j in i..<n {
                    var s = 1.0
                    for l in 0..<d { s += x[i * d + l] * x[j * d + l] }
                    gram[i * k + j] = s
                }
            }
        }
        for a in 0..<k { for b in 0..<a { gram[a * k + b] = gram[b * k + a] } }
        let values = try Dense.symmetricEigen(gram, dimension: k, vectors: false, at: location).values
        return (values.last ?? 0) / Double(n)
    }

    /// (w*, b*) of the generated data.
    static func planted(dimension d: Int, key: PRNGKey) -> (w: [Double], b: Double) {
        let z = RandomFill.gaussian(Double.self, count: d + 1, key: key.tagged(.target))
        return (z[0..<d].map { $0 * 2 / Double(d).squareRoot() }, 0.5 * z[d])
    }

    public var name: String { "logistic-regression(N=\(samples), d=\(dimension), λ=\(regularization))" }

    /// The planted (w*, b*) in layout order, for generated data; nil for explicit data.
    public var plantedParameters: Parameters<T>? {
        planted.flatMap { try? Parameters(layout: layout, values: scalars($0)) }
    }

    /// ‖X̃‖²_F/(4N) + λ ≥ `smoothness`: a bound with no iteration.
    public var smoothnessUpperBound: Double {
        (sumOfSquares(features) + Double(samples)) / (4 * Double(samples)) + regularization
    }

    /// The example indices of a batch, ascending. Throws if a minibatch size is outside 1…N.
    public func indices(of batch: BatchSelection) throws(ZOError) -> [Int] {
        try Minibatch.indices(batch, count: samples, at: "LogisticRegression")
    }

    /// Margins m_i = x_iᵀ w + b for the batch, and the Double copy of the parameters.
    private func margins(_ parameters: Parameters<T>, _ idx: [Int]) -> (m: [Double], theta: [Double]) {
        let theta = doubles(parameters.values)
        let d = dimension
        let m = idx.map { i in
            var s = theta[d]
            for j in 0..<d { s += features[i * d + j] * theta[j] }
            return s
        }
        return (m, theta)
    }

    public func loss(_ parameters: Parameters<T>, batch: BatchSelection) throws -> Double {
        try checkLayout(parameters, layout, at: "LogisticRegression.loss")
        let idx = try indices(of: batch)
        let (m, theta) = margins(parameters, idx)
        var s = 0.0
        for (k, i) in idx.enumerated() {
            let z = -labels[i] * m[k]
            s += max(z, 0) + Foundation.log1p(Foundation.exp(-abs(z)))
        }
        let w2 = sumOfSquares(Array(theta[0..<dimension]))
        return s / Double(idx.count) + 0.5 * regularization * w2
    }

    public func gradient(_ parameters: Parameters<T>, batch: BatchSelection) throws -> [T] {
        try checkLayout(parameters, layout, at: "LogisticRegression.gradient")
        let idx = try indices(of: batch)
        let (m, theta) = margins(parameters, idx)
        let d = dimension
        var g = [Double](repeating: 0, count: d + 1)
        for (k, i) in idx.enumerated() {
            let z = -labels[i] * m[k]
            // σ(z) without overflow: e^{z}/(1 + e^{z}) for z < 0, 1/(1 + e^{−z}) otherwise.
            let sig = z >= 0 ? 1 / (1 + Foundation.exp(-z)) : Foundation.exp(z) / (1 + Foundation.exp(z))
            let c = -labels[i] * sig
            for j in 0..<d { g[j] += c * features[i * d + j] }
            g[d] += c
        }
        let n = Double(idx.count)
        for j in 0..<d { g[j] = g[j] / n + regularization * theta[j] }
        g[d] /= n
        return scalars(g)
    }

    /// w₀ with keyed N(0, 1/d) entries, b₀ = 0.
    public func initialPoint() -> Parameters<T> {
        let z = RandomFill.gaussian(Double.self, count: dimension, key: startKey)
        let w = z.map { $0 / Double(dimension).squareRoot() }
        return (try? Parameters(layout: layout, values: scalars(w + [0]))) ?? Parameters(zeros: layout)
    }
}
