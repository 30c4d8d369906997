extension RandomFill {
    /// A Haar-distributed m×r matrix with orthonormal columns (row-major), in Double.
    ///
    /// Q from the QR factorisation of a Gaussian m×r matrix G, with the sign correction that
    /// makes diag(R) > 0 (Mezzadri 2007): without it Q's distribution depends on the QR
    /// implementation's sign convention and is not Haar. Gram–Schmidt produces diag(R) = column
    /// norms > 0 by construction, so it yields the corrected Q directly; it is run twice
    /// ("twice is enough", Giraud et al. 2005) so that QᵀQ = I to ~1e-15. Proofs/rng.md §Haar.
    ///
    /// - Requires: 1 ≤ r ≤ m (checked by the callers, which throw `ZOError`).
    public static func haar(rows m: Int, cols r: Int, key: PRNGKey) -> [Double] {
        var q = [Double](unsafeUninitializedCapacity: m * r) { buf, n in
            Double.fillGaussian(buf, key: key, offset: 0)
            n = m * r
        }
        orthonormalizeColumns(&q, rows: m, cols: r)
        return q
    }

    /// In-place classical Gram–Schmidt with re-orthogonalisation on the columns of a row-major
    /// m×r matrix. Columns must be linearly independent (true with probability 1 for Gaussian input).
    public static func orthonormalizeColumns(_ a: inout [Double], rows m: Int, cols r: Int) {
        var col = [Double](repeating: 0, count: m)
        for j in 0..<r {
            for i in 0..<m { col[i] = a[i * r + j] }
            for _ in 0..<2 {
                for k in 0..<j {
                    var dot = 0.0
                    for i in 0..<m { dot += a[i * r + k] * col[i] }
                    for i in 0..<m { col[i] -= dot * a[i * r + k] }
                }
            }
            var norm = 0.0
            for v in col { norm += v * v }
            norm = norm.squareRoot()
            for i in 0..<m { a[i * r + j] = col[i] / norm }
        }
    }
}
