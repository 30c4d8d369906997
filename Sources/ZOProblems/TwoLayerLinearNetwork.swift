import ZOCore

/// A small two-layer linear network with a gain vector, trained on data from a planted teacher of
/// the same shape: nonconvex, stochastic (keyed minibatches), with exact backpropagated gradients
/// and the same tensor layout as `MultiTensorNetworkProblem`.
///
/// Letters: N examples, n inputs, h hidden units, p outputs.
///
///     a_i = W₁ x_i + b₁ (h),   o_i = W₂ a_i (p),   r_i = g ⊙ o_i − y_i (p)
///     f_I(θ) = (1/2|I|) Σ_{i∈I} ‖r_i‖²
///     ∇_g = (1/|I|) Σ r_i ⊙ o_i,   δ_i = g ⊙ r_i,   ∇_{W₂} = (1/|I|) Σ δ_i a_iᵀ,
///     ∇_{W₁} = (1/|I|) Σ (W₂ᵀ δ_i) x_iᵀ,   ∇_{b₁} = (1/|I|) Σ W₂ᵀ δ_i
///
/// Data: x_i keyed N(0, I_n); teacher W₁* ~ N(0, 1/n), b₁* ~ N(0, 0.01), W₂* ~ N(0, 1/h),
/// g* = 1 + 0.1·N(0, 1); y_i = g* ⊙ W₂*(W₁* x_i + b₁*) + noise·ξ_i, ξ_i keyed N(0, I_p).
/// With noise = 0 the teacher fits exactly, so f* = 0 (`plantedParameters` attains it); with noise
/// f* is unknown (nil). The loss is a degree-6 polynomial (g, W₂, W₁ multiply): the Hessian is not
/// constant (spectrum nil) and not globally bounded (smoothness nil).
/// Batches as in `LogisticRegression` (keyed partial Fisher–Yates, ascending order).
///
/// Parameters: "layer0.weight" (h, n), "layer0.bias" (h), "layer1.weight" (p, h), "norm.gain" (p).
public struct TwoLayerLinearNetwork<T: ZOScalar>: SyntheticProblem {
    public typealias Scalar = T
    public let layout: ParameterLayout
    public let samples: Int
    public let inputs: Int
    public let hidden: Int
    public let outputs: Int
    public let noise: Double
    /// x, row-major (N, n).
    public let features: [Double]
    /// y, row-major (N, p).
    public let targets: [Double]
    let teacher: [Double]
    let startKey: PRNGKey

    public init(
        inputs n: Int, hidden h: Int, outputs p: Int, samples: Int, noise: Double = 0,
        key: PRNGKey
    ) throws(ZOError) {
        let location = "TwoLayerLinearNetwork.init"
        try Validate.sizes([("inputs", n), ("hidden", h), ("outputs", p), ("samples", samples)], at: location)
        guard noise.isFinite, noise >= 0 else {
            throw ZOError("noise = \(noise) must be finite and ≥ 0", at: location, fix: "pass noise ≥ 0")
        }
        self.layout = try ParameterLayout([
            ("layer0.weight", [h, n]), ("layer0.bias", [h]),
            ("layer1.weight", [p, h]), ("norm.gain", [p]),
        ])
        (self.samples, self.inputs, self.hidden, self.outputs, self.noise) = (samples, n, h, p, noise)
        self.features = RandomFill.gaussian(Double.self, count: samples * n, key: key.tagged(.features))
        self.teacher = Self.scaledGaussian(layout: layout, key: key.tagged(.target), biasScale: 0.1, gainSpread: 0.1)
        self.startKey = key.tagged(.initial)
        let xi = RandomFill.gaussian(Double.self, count: samples * p, key: key.tagged(.noise))
        var y = [Double](repeating: 0, count: samples * p)
        for i in 0..<samples {
            let (_, o) = Self.forward(teacher, features[(i * n)..<((i + 1) * n)], n: n, h: h, p: p)
            for k in 0..<p { y[i * p + k] = teacher[layout.tensors[3].offset + k] * o[k] + noise * xi[i * p + k] }
        }
        self.targets = y
    }

    /// Keyed parameters: W₁ ~ N(0, 1/n), b₁ ~ N(0, biasScale²), W₂ ~ N(0, 1/h), g = 1 + gainSpread·N(0, 1).
    static func scaledGaussian(layout: ParameterLayout, key: PRNGKey, biasScale: Double, gainSpread: Double) -> [Double]
    {
        var z = RandomFill.gaussian(Double.self, count: layout.count, key: key)
        let t = layout.tensors
        for i in t[0].range { z[i] /= Double(t[0].cols).squareRoot() }
        for i in t[1].range { z[i] *= biasScale }
        for i in t[2].range { z[i] /= Double(t[2].cols).squareRoot() }
        for i in t[3].range { z[i] = 1 + gainSpread * z[i] }
        return z
    }

    /// (a, o) for one input x (n): a = W₁x + b₁ (h), o = W₂a (p). θ is in layout order.
    static func forward(_ theta: [Double], _ x: ArraySlice<Double>, n: Int, h: Int, p: Int) -> (
        a: [Double], o: [Double]
    ) {
        let x0 = x.startIndex
        var a = [Double](repeating: 0, count: h)
        for j in 0..<h {
            var s = theta[h * n + j]
            for l in 0..<n { s += theta[j * n + l] * x[x0 + l] }
            a[j] = s
        }
        let w2 = h * n + h
        var o = [Double](repeating: 0, count: p)
        for k in 0..<p {
            var s = 0.0
            for j in 0..<h { s += theta[w2 + k * h + j] * a[j] }
            o[k] = s
        }
        return (a, o)
    }

    public var name: String { "two-layer-linear(n=\(inputs), h=\(hidden), p=\(outputs), N=\(samples))" }
    public var optimalValue: Double? { noise == 0 ? 0 : nil }

    /// The teacher's parameters, in layout order (rounded to `T`).
    public var plantedParameters: Parameters<T> {
        (try? Parameters(layout: layout, values: scalars(teacher))) ?? Parameters(zeros: layout)
    }

    /// The example indices of a batch, ascending. Throws if a minibatch size is outside 1…N.
    public func indices(of batch: BatchSelection) throws(ZOError) -> [Int] {
        try Minibatch.indices(batch, count: samples, at: "TwoLayerLinearNetwork")
    }

    public func loss(_ parameters: Parameters<T>, batch: BatchSelection) throws -> Double {
        try checkLayout(parameters, layout, at: "TwoLayerLinearNetwork.loss")
        let theta = doubles(parameters.values)
        let (n, p) = (inputs, outputs)
        let gain = layout.tensors[3].offset
        var s = 0.0
        let idx = try indices(of: batch)
        for i in idx {
            let (_, o) = Self.forward(theta, features[(i * n)..<((i + 1) * n)], n: n, h: hidden, p: p)
            for k in 0..<p {
                let r = theta[gain + k] * o[k] - targets[i * p + k]
                s += r * r
            }
        }
        return 0.5 * s / Double(idx.count)
    }

    public func gradient(_ parameters: Parameters<T>, batch: BatchSelection) throws -> [T] {
        try checkLayout(parameters, layout, at: "TwoLayerLinearNetwork.gradient")
        let theta = doubles(parameters.values)
        let (n, h, p) = (inputs, hidden, outputs)
        let (b1, w2, gain) = (h * n, h * n + h, layout.tensors[3].offset)
        var g = [Double](repeating: 0, count: layout.count)
        let idx = try indices(of: batch)
        for i in idx {
            let x = features[(i * n)..<((i + 1) * n)]
            let (a, o) = Self.forward(theta, x, n: n, h: h, p: p)
            var da = [Double](repeating: 0, count: h)
            for k in 0..<p {
                let r = theta[gain + k] * o[k] - targets[i * p + k]
                g[gain + k] += r * o[k]
                let delta = theta[gain + k] * r
                for j in 0..<h {
                    g[w2 + k * h + j] += delta * a[j]
                    da[j] += theta[w2 + k * h + j] * delta
                }
            }
            for j in 0..<h {
                g[b1 + j] += da[j]
                for l in 0..<n { g[j * n + l] += da[j] * x[x.startIndex + l] }
            }
        }
        let scale = 1 / Double(idx.count)
        return scalars(g.map { $0 * scale })
    }

    /// A keyed student: W₁ ~ N(0, 1/n), b₁ = 0, W₂ ~ N(0, 1/h), g = 1.
    public func initialPoint() -> Parameters<T> {
        let values = Self.scaledGaussian(layout: layout, key: startKey, biasScale: 0, gainSpread: 0)
        return (try? Parameters(layout: layout, values: scalars(values))) ?? Parameters(zeros: layout)
    }
}
