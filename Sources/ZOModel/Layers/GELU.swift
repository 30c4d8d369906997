// GELU, exact: gelu(x) = x·Φ(x) = ½x(1 + erf(x/√2)) (BERT's "gelu", not the tanh approximation,
// which differs by up to ~1e-3 and would fail the 1e-4 reference check).
//
// Legend: N elements (B·T·F). Derivative: gelu'(x) = Φ(x) + x·φ(x), φ(x) = exp(−x²/2)/√(2π).

public enum GELU {
    /// The model's GELU: `T.gelu` (vectorised for Float, this file's reference for Double).
    @inlinable
    public static func forward<T: EncoderScalar>(
        _ out: UnsafeMutablePointer<T>,  // (N)
        _ inp: UnsafePointer<T>,  // (N)
        count n: Int
    ) {
        Parallel.ranges(n) { r in T.gelu(out + r.lowerBound, inp + r.lowerBound, count: r.count) }
    }

    /// The naive reference: libm's erf, element by element.
    @inlinable
    public static func forwardNaive<T: EncoderScalar>(
        _ out: UnsafeMutablePointer<T>,  // (N)
        _ inp: UnsafePointer<T>,  // (N)
        count n: Int
    ) {
        let invSqrt2 = T(0.70710678118654752440)
        for i in 0..<n {
            let x = inp[i]
            out[i] = T(0.5) * x * (1 + T.errorFunction(x * invSqrt2))
        }
    }

    /// dinp += dout · gelu'(inp): `T.geluBackward` (vectorised for Float, `backwardNaive` for
    /// Double), split over the threads (element-wise: the bits do not depend on the split).
    @inlinable
    public static func backward<T: EncoderScalar>(
        dinp: UnsafeMutablePointer<T>,  // (N)
        dout: UnsafePointer<T>,  // (N)
        _ inp: UnsafePointer<T>,  // (N)
        count n: Int
    ) {
        Parallel.ranges(n) { r in
            T.geluBackward(dinp: dinp + r.lowerBound, dout: dout + r.lowerBound, inp + r.lowerBound, count: r.count)
        }
    }

    /// The naive reference of `backward`: libm's erf and exp, element by element.
    @inlinable
    public static func backwardNaive<T: EncoderScalar>(
        dinp: UnsafeMutablePointer<T>,  // (N)
        dout: UnsafePointer<T>,  // (N)
        _ inp: UnsafePointer<T>,  // (N)
        count n: Int
    ) {
        let invSqrt2 = T(0.70710678118654752440)
        let invSqrt2Pi = T(0.39894228040143267794)
        for i in 0..<n {
            let x = inp[i]
            let cdf = T(0.5) * (1 + T.errorFunction(x * invSqrt2))
            let pdf = invSqrt2Pi * T.exponential(T(-0.5) * x * x)
            dinp[i] += dout[i] * (cdf + x * pdf)
        }
    }
}
