import ZOCore

/// ⟨G_t, Z_t⟩ and ‖Z_t‖² for every tensor of a perturbation: low-rank tensors from their factors
/// (⟨G, UVᵀ⟩ = Σ_{ik} U_ik (GV)_ik over the nonzero rows of G; ‖UVᵀ‖² = ⟨UᵀU, VᵀV⟩), the others from
/// Z_t regenerated in Float (the values `addScaled` applies), summed in Double.
public struct DirectionalProducts {
    let g: [Float]
    let layout: ParameterLayout
    /// Per matrix tensor: the rows of G_t that are not all zero.
    let nonzeroRows: [[Int]]
    var buffer: [Float]

    public init(gradient g: [Float], layout: ParameterLayout) {
        self.g = g
        self.layout = layout
        nonzeroRows = layout.tensors.map { spec in
            guard spec.kind == .matrix else { return [] }
            return (0..<spec.rows).filter { i in (0..<spec.cols).contains { g[spec.offset + i * spec.cols + $0] != 0 } }
        }
        buffer = [Float](repeating: 0, count: layout.tensors.map(\.count).max() ?? 0)
    }

    /// (c₀ = Σ⟨G_t,Z_t⟩, p = Σ S_t⟨G_t,Z_t⟩, w = Σ S_t²‖Z_t‖²).
    public mutating func products(_ z: some Perturbation) -> (c0: Double, p: Double, w: Double) {
        var c0 = 0.0
        var p = 0.0
        var w = 0.0
        for (t, spec) in layout.tensors.enumerated() {
            let s = z.gradientScale(tensor: t)
            let (a, n2) = tensorProducts(z, t, spec)
            c0 += a
            p += s * a
            w += s * s * n2
        }
        return (c0, p, w)
    }

    mutating func tensorProducts(_ z: some Perturbation, _ t: Int, _ spec: TensorSpec) -> (Double, Double) {
        if let f = z.lowRankFactors(tensor: t) {
            let r = f.rank
            let n = spec.cols
            var a = 0.0
            var gv = [Double](repeating: 0, count: r)
            for i in nonzeroRows[t] {
                for k in 0..<r { gv[k] = 0 }
                let row = spec.offset + i * n
                for j in 0..<n {
                    let gij = Double(g[row + j])
                    if gij == 0 { continue }
                    for k in 0..<r { gv[k] += gij * f.v[j * r + k] }
                }
                for k in 0..<r { a += f.u[i * r + k] * gv[k] }
            }
            // ‖UVᵀ‖² = Σ_{kl} (UᵀU)_kl (VᵀV)_kl.
            var utu = [Double](repeating: 0, count: r * r)
            var vtv = [Double](repeating: 0, count: r * r)
            for i in 0..<f.rows {
                for k in 0..<r {
                    let x = f.u[i * r + k]
                    for l in 0..<r { utu[k * r + l] += x * f.u[i * r + l] }
                }
            }
            for j in 0..<f.cols {
                for k in 0..<r {
                    let x = f.v[j * r + k]
                    for l in 0..<r { vtv[k * r + l] += x * f.v[j * r + l] }
                }
            }
            return (a, zip(utu, vtv).reduce(0) { $0 + $1.0 * $1.1 })
        }
        let count = spec.count
        return buffer.withUnsafeMutableBufferPointer { buf in
            let zt = UnsafeMutableBufferPointer(rebasing: buf[0..<count])
            z.fill(tensor: t, into: zt)
            var a = 0.0
            var n2 = 0.0
            g.withUnsafeBufferPointer { gp in
                let base = spec.offset
                for j in 0..<count {
                    let v = Double(zt[j])
                    a += v * Double(gp[base + j])
                    n2 += v * v
                }
            }
            return (a, n2)
        }
    }
}
