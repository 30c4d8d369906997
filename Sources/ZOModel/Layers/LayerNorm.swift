// LayerNorm over the last axis: y = (x − μ)/√(σ² + ε) · w + b, σ² the biased variance (PyTorch).
//
// Legend: N rows (B·T tokens), C channels. Mean and 1/σ are kept in Double, per row, for the
// backward pass. Numeric hazard: the one-pass E[x²] − μ² cancels catastrophically when |μ| ≫ σ
// (BERT's residual stream has large means in a few channels), so the variance is two-pass, in Double.

public enum LayerNorm {
    @inlinable
    public static func forward<T: EncoderScalar>(
        _ out: UnsafeMutablePointer<T>,  // (N, C)
        mean: UnsafeMutablePointer<Double>,  // (N)
        rstd: UnsafeMutablePointer<Double>,  // (N) 1/√(σ² + ε)
        _ inp: UnsafePointer<T>,  // (N, C)
        weight: UnsafePointer<T>,  // (C)
        bias: UnsafePointer<T>,  // (C)
        rows n: Int, channels c: Int, eps: Double
    ) {
        Parallel.ranges(n, minimum: 256, align: 16) { rows in
            forwardRows(out, mean: mean, rstd: rstd, inp, weight: weight, bias: bias, rows: rows, channels: c, eps: eps)
        }
    }

    /// `forward` on the rows `rows` (each row is independent).
    @inlinable
    static func forwardRows<T: EncoderScalar>(
        _ out: UnsafeMutablePointer<T>, mean: UnsafeMutablePointer<Double>, rstd: UnsafeMutablePointer<Double>,
        _ inp: UnsafePointer<T>, weight: UnsafePointer<T>, bias: UnsafePointer<T>, rows: Range<Int>, channels c: Int,
        eps: Double
    ) {
        let invC = 1.0 / Double(c)
        for row in rows {
            let x = inp + row * c
            var s = 0.0
            for i in 0..<c { s += Double(x[i]) }
            let m = s * invC
            var v = 0.0
            for i in 0..<c {
                let d = Double(x[i]) - m
                v += d * d
            }
            let rs = 1.0 / (v * invC + eps).squareRoot()
            mean[row] = m
            rstd[row] = rs
            let o = out + row * c
            // Normalise in Double then round once: at Float precision x − μ loses nothing that matters,
            // but doing it in T would round μ first.
            for i in 0..<c { o[i] = T((Double(x[i]) - m) * rs) * weight[i] + bias[i] }
        }
    }

    /// dinp += rstd·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)) with ĝ = dout·w and x̂ the normalised input;
    /// dweight += Σ_rows dout·x̂; dbias += Σ_rows dout.
    @inlinable
    public static func backward<T: EncoderScalar>(
        dinp: UnsafeMutablePointer<T>,  // (N, C)
        dweight: UnsafeMutablePointer<T>?,  // (C)
        dbias: UnsafeMutablePointer<T>?,  // (C)
        dout: UnsafePointer<T>,  // (N, C)
        _ inp: UnsafePointer<T>,  // (N, C)
        weight: UnsafePointer<T>,  // (C)
        mean: UnsafePointer<Double>,  // (N)
        rstd: UnsafePointer<Double>,  // (N)
        rows n: Int, channels c: Int
    ) {
        let invC = 1.0 / Double(c)
        // dinp: rows are independent (split by rows). dweight, dbias: each channel sums over the rows
        // in row order (split by channels), the serial loop's order; so no bit depends on the split.
        Parallel.ranges(n, minimum: 256, align: 16) { rows in
            for row in rows {
                let x = inp + row * c
                let d = dout + row * c
                let dx = dinp + row * c
                let m = mean[row]
                let rs = rstd[row]
                var sumG = 0.0
                var sumGX = 0.0
                for i in 0..<c {
                    let g = Double(d[i]) * Double(weight[i])
                    sumG += g
                    sumGX += g * (Double(x[i]) - m) * rs
                }
                let meanG = sumG * invC
                let meanGX = sumGX * invC
                for i in 0..<c {
                    let xhat = (Double(x[i]) - m) * rs
                    let g = Double(d[i]) * Double(weight[i])
                    dx[i] += T(rs * (g - meanG - xhat * meanGX))
                }
            }
        }
        guard dweight != nil || dbias != nil else { return }
        Parallel.ranges(c, minimum: n * c >= 1 << 15 ? 32 : c + 1, align: 16) { channels in
            for row in 0..<n {
                let x = inp + row * c
                let d = dout + row * c
                let m = mean[row]
                let rs = rstd[row]
                for i in channels {
                    let xhat = (Double(x[i]) - m) * rs
                    if let dweight { dweight[i] += T(Double(d[i]) * xhat) }
                    if let dbias { dbias[i] += d[i] }
                }
            }
        }
    }
}
