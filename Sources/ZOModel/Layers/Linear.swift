import ZOCore

// Linear layer y = x Wᵀ + b with W stored [out, in] row-major (PyTorch), on BLAS, plus the
// fused low-rank perturbation y = x (W + εUVᵀ)ᵀ + b = x Wᵀ + b + ε (x V) Uᵀ.
//
// Legend: N rows (B·T tokens), I input features, O output features, r rank of a low-rank delta.

/// ε·U Vᵀ for one weight matrix W (O×I, or a table V×C), in the model's scalar:
/// U is (rows, r) and V is (cols, r), both row-major. LOZO / SubZero perturbations have this form.
public struct LowRankDelta<T: EncoderScalar>: Sendable {
    public let rows: Int
    public let cols: Int
    public let rank: Int
    public let u: [T]  // (rows, r)
    public let v: [T]  // (cols, r)
    /// ε, the step along U Vᵀ (negative for f(θ − εZ)).
    public let scale: T

    public init(rows: Int, cols: Int, rank: Int, u: [T], v: [T], scale: T) {
        self.rows = rows
        self.cols = cols
        self.rank = rank
        self.u = u
        self.v = v
        self.scale = scale
    }

    /// The delta ε·U Vᵀ of ZOCore's factors, rounded to T.
    public init(_ f: LowRankFactors, scale: Double) {
        self.init(rows: f.rows, cols: f.cols, rank: f.rank, u: f.u.map { T($0) }, v: f.v.map { T($0) }, scale: T(scale))
    }
}

public enum Linear {
    /// out = inp · Wᵀ + bias (bias optional): one sgemm with β = 1 over rows pre-filled with the bias.
    @inlinable
    public static func forward<T: EncoderScalar>(
        _ out: UnsafeMutablePointer<T>,  // (N, O)
        _ inp: UnsafePointer<T>,  // (N, I)
        weight: UnsafePointer<T>,  // (O, I)
        bias: UnsafePointer<T>?,  // (O)
        rows n: Int, inputs i: Int, outputs o: Int
    ) {
        // The bias rows are filled by each gemm piece on its own thread, just before its product.
        T.gemmRows(
            transA: false, transB: true, m: n, n: o, k: i, alpha: 1, a: inp, lda: i, b: weight, ldb: i,
            beta: bias == nil ? 0 : 1, c: out, ldc: o, split: true,
            prologue: bias.map { bias in
                { rows in for row in rows { (out + row * o).update(from: bias, count: o) } }
            })
    }

    /// out = inp · (W + εUVᵀ)ᵀ + bias with the low-rank part fused into each gemm piece's prologue:
    /// its rows of out are set to bias + ε (inp V) Uᵀ (two thin single-threaded gemms on those rows,
    /// `scratch` rows holding inp·V), then the piece's product adds inp·Wᵀ (β = 1). One pass over
    /// out instead of three (bias fill, product, low-rank add); W is never formed.
    @inlinable
    public static func forward<T: EncoderScalar>(
        _ out: UnsafeMutablePointer<T>,  // (N, O)
        _ inp: UnsafePointer<T>,  // (N, I)
        weight: UnsafePointer<T>,  // (O, I)
        bias: UnsafePointer<T>?,  // (O)
        delta: LowRankDelta<T>,  // U (O, r), V (I, r)
        scratch: UnsafeMutablePointer<T>,  // (N, r)
        rows n: Int, inputs i: Int, outputs o: Int
    ) {
        let r = delta.rank
        delta.u.withUnsafeBufferPointer { u in
            delta.v.withUnsafeBufferPointer { v in
                guard let u = u.baseAddress, let v = v.baseAddress else { return }
                T.gemmRows(
                    transA: false, transB: true, m: n, n: o, k: i, alpha: 1, a: inp, lda: i, b: weight, ldb: i,
                    beta: 1, c: out, ldc: o, split: true,
                    prologue: { rows in
                        let c = out + rows.lowerBound * o
                        let s = scratch + rows.lowerBound * r
                        for row in 0..<rows.count {
                            if let bias {
                                (c + row * o).update(from: bias, count: o)
                            } else {
                                (c + row * o).update(repeating: 0, count: o)
                            }
                        }
                        T.gemmRows(
                            transA: false, transB: false, m: rows.count, n: r, k: i, alpha: 1,
                            a: inp + rows.lowerBound * i, lda: i,
                            b: v, ldb: r, beta: 0, c: s, ldc: r, split: false, prologue: nil)
                        T.gemmRows(
                            transA: false, transB: true, m: rows.count, n: o, k: r, alpha: delta.scale, a: s, lda: r,
                            b: u, ldb: r,
                            beta: 1, c: c, ldc: o, split: false, prologue: nil)
                    })
            }
        }
    }

    /// The naive reference of `forward`: loops, Double sums.
    @inlinable
    public static func forwardNaive<T: EncoderScalar>(
        _ out: UnsafeMutablePointer<T>,  // (N, O)
        _ inp: UnsafePointer<T>,  // (N, I)
        weight: UnsafePointer<T>,  // (O, I)
        bias: UnsafePointer<T>?,  // (O)
        rows n: Int, inputs i: Int, outputs o: Int
    ) {
        for row in 0..<n {
            for j in 0..<o {
                var s = bias.map { Double($0[j]) } ?? 0
                for k in 0..<i { s += Double(inp[row * i + k]) * Double(weight[j * i + k]) }
                out[row * o + j] = T(s)
            }
        }
    }

    /// Backward (adds): dinp += dout · W, dweight += doutᵀ · inp, dbias += Σ_rows dout.
    /// Any gradient may be nil (not wanted).
    @inlinable
    public static func backward<T: EncoderScalar>(
        dinp: UnsafeMutablePointer<T>?,  // (N, I)
        dweight: UnsafeMutablePointer<T>?,  // (O, I)
        dbias: UnsafeMutablePointer<T>?,  // (O)
        dout: UnsafePointer<T>,  // (N, O)
        _ inp: UnsafePointer<T>,  // (N, I)
        weight: UnsafePointer<T>,  // (O, I)
        rows n: Int, inputs i: Int, outputs o: Int
    ) {
        if let dinp {
            T.gemm(
                transA: false, transB: false, m: n, n: i, k: o, alpha: 1, a: dout, lda: o, b: weight, ldb: i,
                beta: 1, c: dinp, ldc: i)
        }
        if let dweight {
            T.gemm(
                transA: true, transB: false, m: o, n: i, k: n, alpha: 1, a: dout, lda: o, b: inp, ldb: i,
                beta: 1, c: dweight, ldc: i)
        }
        if let dbias {
            // Column sums in Double (N can be thousands of rows), row by row for contiguous reads;
            // columns split over the threads, each summed in row order (the same bits for any split).
            let s = UnsafeMutablePointer<Double>.allocate(capacity: o)
            defer { s.deallocate() }
            s.initialize(repeating: 0, count: o)
            Parallel.ranges(o, minimum: n * o >= 1 << 15 ? 32 : o + 1, align: 16) { cols in
                for row in 0..<n {
                    let d = dout + row * o
                    for j in cols { s[j] += Double(d[j]) }
                }
            }
            for j in 0..<o { dbias[j] += T(s[j]) }
        }
    }
}
