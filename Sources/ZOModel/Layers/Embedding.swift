// Embeddings: word + position + token type, summed (the LayerNorm after it is its own layer).
//
// Legend: B batch, T tokens per sequence, N = B·T rows, C hidden, V vocabulary, P positions,
// S token types, r rank of a low-rank delta. Token ids, types and masks are Int32, (B, T) row-major.
// Positions are 0…T−1 in every sequence (Hugging Face's default position_ids; right padding).

public enum Embedding {
    /// out[b,t,:] = wte[ids[b,t],:] + wpe[t,:] + wtt[types[b,t],:].
    /// Ids and types must already be checked against V and S (`EncoderBatch.validate`).
    @inlinable
    public static func forward<T: EncoderScalar>(
        _ out: UnsafeMutablePointer<T>,  // (B, T, C)
        ids: UnsafePointer<Int32>,  // (B, T)
        types: UnsafePointer<Int32>,  // (B, T)
        wte: UnsafePointer<T>,  // (V, C)
        wpe: UnsafePointer<T>,  // (P, C), T ≤ P
        wtt: UnsafePointer<T>,  // (S, C)
        batch b: Int, length t: Int, channels c: Int
    ) {
        for bi in 0..<b {
            for ti in 0..<t {
                let n = bi * t + ti
                let o = out + n * c
                let w = wte + Int(ids[n]) * c
                let p = wpe + ti * c
                let s = wtt + Int(types[n]) * c
                for i in 0..<c { o[i] = w[i] + p[i] + s[i] }
            }
        }
    }

    /// Backward: adds dout[b,t,:] into the rows of the three tables that forward read.
    /// Any of the gradients may be nil (not wanted).
    @inlinable
    public static func backward<T: EncoderScalar>(
        dwte: UnsafeMutablePointer<T>?,  // (V, C)
        dwpe: UnsafeMutablePointer<T>?,  // (P, C)
        dwtt: UnsafeMutablePointer<T>?,  // (S, C)
        dout: UnsafePointer<T>,  // (B, T, C)
        ids: UnsafePointer<Int32>,  // (B, T)
        types: UnsafePointer<Int32>,  // (B, T)
        batch b: Int, length t: Int, channels c: Int
    ) {
        for bi in 0..<b {
            for ti in 0..<t {
                let n = bi * t + ti
                let d = dout + n * c
                if let dwte {
                    let g = dwte + Int(ids[n]) * c
                    for i in 0..<c { g[i] += d[i] }
                }
                if let dwpe {
                    let g = dwpe + ti * c
                    for i in 0..<c { g[i] += d[i] }
                }
                if let dwtt {
                    let g = dwtt + Int(types[n]) * c
                    for i in 0..<c { g[i] += d[i] }
                }
            }
        }
    }

    /// Fused low-rank table delta: out[n,:] += ε·(U Vᵀ)[rows[n],:] = ε·U[rows[n],:]·Vᵀ, i.e. the
    /// lookup in W + εUVᵀ without forming it. `rows` holds the table row each output row read
    /// (ids for the word table, t for positions, types for token types).
    @inlinable
    public static func addLowRank<T: EncoderScalar>(
        _ out: UnsafeMutablePointer<T>,  // (N, C)
        rows: UnsafePointer<Int32>,  // (N)
        delta: LowRankDelta<T>,  // U (rows of the table, r), V (C, r)
        count n: Int, channels c: Int
    ) {
        let r = delta.rank
        delta.u.withUnsafeBufferPointer { u in
            delta.v.withUnsafeBufferPointer { v in
                guard let u = u.baseAddress, let v = v.baseAddress else { return }
                // Gather U's rows, then one thin gemm: out += ε·G (N, r) · Vᵀ (r, C).
                let g = UnsafeMutablePointer<T>.allocate(capacity: n * r)
                defer { g.deallocate() }
                for i in 0..<n { (g + i * r).update(from: u + Int(rows[i]) * r, count: r) }
                T.gemm(
                    transA: false, transB: true, m: n, n: c, k: r, alpha: delta.scale,
                    a: g, lda: r, b: v, ldb: r, beta: 1, c: out, ldc: c)
            }
        }
    }
}
