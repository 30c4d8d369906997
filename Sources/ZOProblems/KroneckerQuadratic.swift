import ZOCore

/// The engine behind `LowRankMatrixQuadratic` and the matrix blocks of `MultiTensorNetworkProblem`:
/// f(W) = ½‖A (W − W*) B‖²_F with A = U_A Σ_A V_Aᵀ (p, m) and B = P_B Σ_B Q_Bᵀ (n, q) stored factored.
///
/// Because U_A and Q_B have orthonormal columns, ‖A D B‖_F = ‖Σ_A (V_Aᵀ D P_B) Σ_B‖_F, so with
/// C = V_Aᵀ D P_B (r_A, r_B):
///   f = ½ Σ_ij σ_A,i² σ_B,j² C_ij²                               cost O(r_A·m·n)
///   ∇f = AᵀA D BBᵀ = V_A (Σ_A² C Σ_B²) P_Bᵀ                    cost O((r_A + r_B)·m·n)
/// The dense formulas are kept in `denseLoss`/`denseGradient` as the naive reference.
struct KroneckerQuadratic: Sendable, Hashable {
    let m: Int
    let n: Int
    /// A, shape (p, m).
    let a: LowRankFactor
    /// B, shape (n, q).
    let b: LowRankFactor
    /// W*, shape (m, n).
    let target: [Double]

    init(
        m: Int, n: Int, p: Int, q: Int, sigmaA: [Double], sigmaB: [Double], key: PRNGKey,
        at location: String
    ) throws(ZOError) {
        try Validate.sizes([("m", m), ("n", n), ("p", p), ("q", q)], at: location)
        try Validate.rank(sigmaA.count, "rank of A (p×m = \(p)×\(m))", limit: min(p, m), at: location)
        try Validate.rank(sigmaB.count, "rank of B (n×q = \(n)×\(q))", limit: min(n, q), at: location)
        try Validate.positive(sigmaA, "singular values of A", at: location)
        try Validate.positive(sigmaB, "singular values of B", at: location)
        // A (p×m), B (n×q) and about four m×n Double buffers (W*, W, ∇f, an estimate), checked before
        // anything is allocated: the sizes come from the command line.
        let fix = "pass smaller m, n (the CLI allows m·n ≤ 2²²)"
        let entries = try MemoryBudget.sum(
            [
                try MemoryBudget.product([p, m], "A", at: location, fix: fix),
                try MemoryBudget.product([n, q], "B", at: location, fix: fix),
                try MemoryBudget.product([m, n, 4], "the m×n buffers", at: location, fix: fix),
            ], "the problem", at: location, fix: fix)
        try MemoryBudget.check(entries, of: Double.self, "a \(m)×\(n) matrix quadratic", at: location, fix: fix)
        self.m = m
        self.n = n
        self.a = try LowRankFactor(rows: p, cols: m, sigma: sigmaA, key: key.tagged(.leftA), at: location)
        self.b = try LowRankFactor(rows: n, cols: q, sigma: sigmaB, key: key.tagged(.leftB), at: location)
        self.target = RandomFill.gaussian(Double.self, count: m * n, key: key.tagged(.target))
    }

    /// C = V_Aᵀ D P_B, shape (r_A, r_B), for D (m, n).
    private func core(_ d: UnsafeBufferPointer<Double>) -> [Double] {
        let ra = a.rank
        let rb = b.rank
        // T = V_Aᵀ D, (r_A, n).
        var t = [Double](repeating: 0, count: ra * n)
        for i in 0..<m {
            for l in 0..<ra {
                let v = a.right[i * ra + l]
                for j in 0..<n { t[l * n + j] += v * d[i * n + j] }
            }
        }
        return Dense.matmul(t, b.left, m: ra, k: n, n: rb)
    }

    /// ½‖A D B‖²_F for the displacement D = W − W* (m, n).
    func loss(displacement d: UnsafeBufferPointer<Double>) -> Double {
        let c = core(d)
        var s = 0.0
        for i in 0..<a.rank {
            let si = a.sigma[i] * a.sigma[i]
            for j in 0..<b.rank {
                let x = c[i * b.rank + j]
                s += si * b.sigma[j] * b.sigma[j] * x * x
            }
        }
        return 0.5 * s
    }

    /// AᵀA D BBᵀ, shape (m, n): the gradient at W = W* + D and the Hessian applied to D.
    func hessianTimes(_ d: UnsafeBufferPointer<Double>) -> [Double] {
        var k = core(d)
        for i in 0..<a.rank {
            for j in 0..<b.rank { k[i * b.rank + j] *= a.sigma[i] * a.sigma[i] * b.sigma[j] * b.sigma[j] }
        }
        let vk = Dense.matmul(a.right, k, m: m, k: a.rank, n: b.rank)
        return Dense.timesTransposed(vk, b.left, m: m, k: b.rank, n: n)
    }

    /// D = W − W*, shape (m, n), from W (m, n).
    func displacement(_ w: [Double]) -> [Double] {
        [Double](unsafeUninitializedCapacity: m * n) { buf, count in
            for i in 0..<(m * n) { buf[i] = w[i] - target[i] }
            count = m * n
        }
    }

    /// All m·n Hessian eigenvalues, descending: the Hessian of vec_row(W) is (AᵀA) ⊗ (BBᵀ), whose
    /// eigenvalues are the products of eigenvalues of AᵀA (σ_A,i², zeros) and BBᵀ (σ_B,j², zeros).
    var spectrum: [Double] {
        let ea = a.gramEigenvalues
        let eb = b.outerGramEigenvalues
        var out: [Double] = []
        out.reserveCapacity(m * n)
        for x in ea { for y in eb { out.append(x * y) } }
        return out.sorted(by: >)
    }

    /// λ_max = σ_A,max² σ_B,max².
    var largestEigenvalue: Double {
        (a.sigma.max() ?? 0) * (a.sigma.max() ?? 0) * (b.sigma.max() ?? 0) * (b.sigma.max() ?? 0)
    }

    /// The naive reference: ½‖A D B‖²_F with dense A (p, m) and B (n, q).
    func denseLoss(displacement d: [Double]) -> Double {
        let ad = Dense.matmul(a.dense, d, m: a.rows, k: m, n: n)
        let adb = Dense.matmul(ad, b.dense, m: a.rows, k: n, n: b.cols)
        return 0.5 * sumOfSquares(adb)
    }

    /// The naive reference: Aᵀ A D B Bᵀ with dense A and B.
    func denseHessianTimes(_ d: [Double]) -> [Double] {
        let aMat = a.dense
        let bMat = b.dense
        let ata = Dense.transposedTimes(aMat, aMat, k: a.rows, m: m, n: m)
        let bbt = Dense.timesTransposed(bMat, bMat, m: n, k: b.cols, n: n)
        return Dense.matmul(Dense.matmul(ata, d, m: m, k: m, n: n), bbt, m: m, k: n, n: n)
    }
}
