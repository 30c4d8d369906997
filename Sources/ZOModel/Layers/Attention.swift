// Masked multi-head scaled-dot-product attention (BERT self-attention, bidirectional).
//
// Legend: B batch, T tokens, C hidden, H heads, D = C/H head width. Head h of token t is
// channels h·D ..< (h+1)·D of q[b,t,:] (PyTorch's view(B, T, H, D)). mask[b,t] = 1 for a token,
// 0 for padding. Padded *keys* get probability exactly 0 (Hugging Face adds the most negative
// float before the softmax, which also underflows to 0); padded *queries* are computed and then
// ignored by the pooling. Numeric hazard: the softmax subtracts the row maximum over valid keys
// before exp, and sums in Double.

public enum Attention {
    /// One masked softmax row, in place: p_j = exp(s_j − max) / Σ exp(s − max) over valid keys, 0 elsewhere.
    @inlinable
    public static func softmaxRow<T: EncoderScalar>(
        _ row: UnsafeMutablePointer<T>, mask: UnsafePointer<Int32>, count t: Int
    ) {
        var m = -T.infinity
        for j in 0..<t where mask[j] != 0 { m = max(m, row[j]) }
        guard m > -T.infinity else {
            // No valid key: a sequence of padding only (rejected by EncoderBatch.validate); keep it finite.
            for j in 0..<t { row[j] = 0 }
            return
        }
        // Masked keys become −∞, whose exp is exactly 0 (T.expInPlace is vectorised for Float).
        for j in 0..<t { row[j] = mask[j] != 0 ? row[j] - m : -T.infinity }
        T.expInPlace(row, count: t)
        var s = 0.0
        for j in 0..<t { s += Double(row[j]) }
        let inv = T(1 / s)
        for j in 0..<t { row[j] *= inv }
    }

    /// out[b,t,head h] = Σ_j att[b,h,t,j] v[b,j,head h], att = softmax_masked(q kᵀ/√D).
    /// Keeps att (the probabilities) for the backward pass. Two gemms per (b, h).
    @inlinable
    public static func forward<T: EncoderScalar>(
        _ out: UnsafeMutablePointer<T>,  // (B, T, C)
        att: UnsafeMutablePointer<T>,  // (B, H, T, T)
        q: UnsafePointer<T>, k: UnsafePointer<T>, v: UnsafePointer<T>,  // (B, T, C) each
        mask: UnsafePointer<Int32>,  // (B, T)
        batch b: Int, length t: Int, channels c: Int, heads h: Int
    ) {
        let d = c / h
        let scale = T(1 / Double(d).squareRoot())
        // Sequences are independent, and each (b, h) gemm is small enough to run on its caller's thread.
        Parallel.ranges(b, minimum: 2, align: 1) { seqs in
            for bi in seqs {
                let mb = mask + bi * t
                for hi in 0..<h {
                    let off = bi * t * c + hi * d
                    let a = att + (bi * h + hi) * t * t
                    T.gemm(
                        transA: false, transB: true, m: t, n: t, k: d, alpha: scale, a: q + off, lda: c, b: k + off,
                        ldb: c,
                        beta: 0, c: a, ldc: t)
                    for i in 0..<t { softmaxRow(a + i * t, mask: mb, count: t) }
                    T.gemm(
                        transA: false, transB: false, m: t, n: d, k: t, alpha: 1, a: a, lda: t, b: v + off, ldb: c,
                        beta: 0, c: out + off, ldc: c)
                }
            }
        }
    }

    /// The naive reference of `forward`: loops, Double sums, the same masked softmax.
    @inlinable
    public static func forwardNaive<T: EncoderScalar>(
        _ out: UnsafeMutablePointer<T>,  // (B, T, C)
        att: UnsafeMutablePointer<T>,  // (B, H, T, T)
        q: UnsafePointer<T>, k: UnsafePointer<T>, v: UnsafePointer<T>,  // (B, T, C) each
        mask: UnsafePointer<Int32>,  // (B, T)
        batch b: Int, length t: Int, channels c: Int, heads h: Int
    ) {
        let d = c / h
        let scale = 1 / Double(d).squareRoot()
        for bi in 0..<b {
            for hi in 0..<h {
                let a = att + (bi * h + hi) * t * t
                for i in 0..<t {
                    for j in 0..<t {
                        var s = 0.0
                        for l in 0..<d {
                            s += Double(q[(bi * t + i) * c + hi * d + l]) * Double(k[(bi * t + j) * c + hi * d + l])
                        }
                        a[i * t + j] = T(s * scale)
                    }
                    softmaxRow(a + i * t, mask: mask + bi * t, count: t)
                    for l in 0..<d {
                        var s = 0.0
                        for j in 0..<t { s += Double(a[i * t + j]) * Double(v[(bi * t + j) * c + hi * d + l]) }
                        out[(bi * t + i) * c + hi * d + l] = T(s)
                    }
                }
            }
        }
    }

    /// Backward (adds into dq, dk, dv). With P = att, dP = dO Vᵀ, dS = P ⊙ (dP − rowsum(P ⊙ dP)):
    /// dV += Pᵀ dO, dQ += dS K/√D, dK += dSᵀ Q/√D. Masked keys have P = 0, hence dS = 0 there.
    @inlinable
    public static func backward<T: EncoderScalar>(
        dq: UnsafeMutablePointer<T>, dk: UnsafeMutablePointer<T>, dv: UnsafeMutablePointer<T>,  // (B, T, C) each
        scratch: UnsafeMutablePointer<T>,  // (T, T)
        dout: UnsafePointer<T>,  // (B, T, C)
        att: UnsafePointer<T>,  // (B, H, T, T)
        q: UnsafePointer<T>, k: UnsafePointer<T>, v: UnsafePointer<T>,  // (B, T, C) each
        batch b: Int, length t: Int, channels c: Int, heads h: Int
    ) {
        let d = c / h
        let scale = T(1 / Double(d).squareRoot())
        // Sequences are independent (disjoint slices of dq, dk, dv): split them over the threads, each
        // piece with its own (T, T) scratch (`scratch` serves the first); the same operations per sequence.
        Parallel.ranges(b, minimum: 2, align: 1) { seqs in
            let own = seqs.lowerBound == 0 ? nil : UnsafeMutablePointer<T>.allocate(capacity: t * t)
            defer { own?.deallocate() }
            let ds = own ?? scratch
            for bi in seqs {
                for hi in 0..<h {
                    let off = bi * t * c + hi * d
                    let a = att + (bi * h + hi) * t * t
                    T.gemm(
                        transA: false, transB: true, m: t, n: t, k: d, alpha: 1, a: dout + off, lda: c, b: v + off,
                        ldb: c,
                        beta: 0, c: ds, ldc: t)
                    T.gemm(
                        transA: true, transB: false, m: t, n: d, k: t, alpha: 1, a: a, lda: t, b: dout + off, ldb: c,
                        beta: 1, c: dv + off, ldc: c)
                    for i in 0..<t {
                        let p = a + i * t
                        let g = ds + i * t
                        var s = 0.0
                        for j in 0..<t { s += Double(p[j]) * Double(g[j]) }
                        let st = T(s)
                        for j in 0..<t { g[j] = p[j] * (g[j] - st) }
                    }
                    T.gemm(
                        transA: false, transB: false, m: t, n: d, k: t, alpha: scale, a: ds, lda: t, b: k + off, ldb: c,
                        beta: 1, c: dq + off, ldc: c)
                    T.gemm(
                        transA: true, transB: false, m: t, n: d, k: t, alpha: scale, a: ds, lda: t, b: q + off, ldb: c,
                        beta: 1, c: dk + off, ldc: c)
                }
            }
        }
    }
}
