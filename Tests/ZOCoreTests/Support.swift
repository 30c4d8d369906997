import CNumerics
import Testing
import ZOCore

/// A dense quadratic f(θ) = ½ (θ − θ*)ᵀ H (θ − θ*) + f₀ over any layout, H = BᵀB/d + 0.1·I
/// (positive definite), everything from a key. Small d only: H is stored dense.
struct DenseQuadratic<T: ZOScalar>: DifferentiableObjective {
    let layout: ParameterLayout
    let hessian: [Double]
    let optimum: [Double]
    let offset: Double

    init(layout: ParameterLayout, key: PRNGKey, offset: Double = 1.5) {
        let d = layout.count
        let b = RandomFill.gaussian(Double.self, count: d * d, key: key.fold(in: 1))
        var h = [Double](repeating: 0, count: d * d)
        for i in 0..<d {
            for j in 0..<d {
                var s = 0.0
                for k in 0..<d { s += b[k * d + i] * b[k * d + j] }
                h[i * d + j] = s / Double(d) + (i == j ? 0.1 : 0)
            }
        }
        self.layout = layout
        self.hessian = h
        self.optimum = RandomFill.gaussian(Double.self, count: d, key: key.fold(in: 2))
        self.offset = offset
    }

    func hv(_ v: [Double]) -> [Double] {
        let d = layout.count
        return (0..<d).map { i in (0..<d).reduce(0.0) { $0 + hessian[i * d + $1] * v[$1] } }
    }

    func loss(_ p: Parameters<T>, batch: BatchSelection) throws -> Double {
        let r = (0..<layout.count).map { Double(p.values[$0]) - optimum[$0] }
        let hr = hv(r)
        return 0.5 * zip(r, hr).reduce(0) { $0 + $1.0 * $1.1 } + offset
    }

    func gradient(_ p: Parameters<T>, batch: BatchSelection) throws -> [T] {
        hv((0..<layout.count).map { Double(p.values[$0]) - optimum[$0] }).map { T($0) }
    }
}

/// A layout that mixes matrices and vectors the way a network does.
func networkLayout() throws -> ParameterLayout {
    try ParameterLayout([("layer0.weight", [6, 5]), ("layer0.bias", [6]), ("layer1.weight", [4, 6]), ("norm", [4])])
}

func randomParameters<T: ZOScalar>(_ layout: ParameterLayout, key: PRNGKey, as: T.Type = T.self) throws -> Parameters<T>
{
    try Parameters(layout: layout, values: RandomFill.gaussian(T.self, count: layout.count, key: key))
}

/// Every perturbation distribution the package ships, for property tests that must hold for all.
func allDistributions() throws -> [any PerturbationDistribution] {
    [
        GaussianRGE(),
        SphereRGE(),
        try LOZO(rank: 2, lazyInterval: 3),
        try LOZO(rank: 1, lazyInterval: 1, scaling: .unscaled),
        try SubZero(rank: 3, refreshInterval: 4),
        try SubZero(rank: 2, refreshInterval: 1, scaling: .unbiased),
        try SparseMeZO(sparsity: 0.75),
    ]
}

/// Upper normal quantile z_{1−α/2}, for two-sided z-tests with false-fail rate α.
func twoSidedCritical(alpha: Double) -> Double { gsl_cdf_ugaussian_Qinv(alpha / 2) }

/// Unit roundoff of T.
func unitRoundoff<T: ZOScalar>(_ type: T.Type) -> Double { Double(T.ulpOfOne) / 2 }
