// Vectorised exp and erf for Float (16 lanes), for the exact GELU of the Float model.
// libm's erff is a scalar call: with 9.4M GELUs per 16×64-token forward it cost ~20 % of the pass.
// The naive references (libm) stay in `GELU.forwardNaive`; tests compare the two on a dense grid.
//
// Error bounds (measured against 40-digit mpmath on 20,001-point grids when the coefficients were fitted,
// and re-checked against libm in FastMathTests):
// - exp: |relative error| ≤ 2 ulp on [−87, 88]; exp(x) = 0 below −87.3 (true value < 1.2e-38).
// - erf: |absolute error| ≤ 1.5e-7 everywhere (≈ 1 ulp near ±1).
// - onePlusErf(x) = 1 + erf(x) = erfc(−x) is computed as exp(Q(−x)) for x < −0.9375, so it keeps
//   *relative* accuracy (≤ 3e-6, the rounding of Q ≈ −18 in Float) in the negative tail, where
//   1 + erff(x) in float cancels: at x = −3.5 the libm form is off by ~8 % of erfc(3.5) = 7.4e-7.
//
// Coefficients: weighted least-squares fits on Chebyshev nodes against mpmath (scripts/fit-fast-erf.py).

public enum FastMath {
    public typealias F16 = SIMD16<Float>

    /// |x| ≤ 0.9375: erf(x) = x + x·P(s), s = x², P of degree 5 with coefficients (lowest first)
    /// 0.12837915, −0.37612504, 0.11281800, −0.026763830, 0.0049871202, −0.00059531984.
    /// 0.9375 < t ≤ 4: erfc(t) = exp(Q(t)), Q of degree 8 fitted for relative accuracy of erfc
    /// (erfc(4) = 1.5e-8 is below Float's resolution at 1); coefficients in `onePlusErf`.
    public static let split: Float = 0.9375

    public typealias I16 = SIMD16<Int32>

    // Swift's SIMD int↔float conversions, `rounded`, `replacing(with:where:)` and comparisons
    // to masks compile to per-lane code (measured: the first version of this file was slower
    // than libm). Everything below is lane-wise arithmetic and bit operations, as in ZOCore's
    // VectorMath: rounding by the 1.5·2²³ trick, selection by sign-bit masks.

    /// All ones in the lanes where `x` is negative (sign bit set), zeros elsewhere.
    @inlinable @inline(__always)
    public static func negativeMask(_ x: F16) -> I16 { unsafeBitCast(x, to: I16.self) &>> 31 }

    /// `b` where `mask` is all ones, `a` where it is zero.
    @inlinable @inline(__always)
    public static func select(_ a: F16, _ b: F16, where mask: I16) -> F16 {
        let ai = unsafeBitCast(a, to: I16.self)
        let bi = unsafeBitCast(b, to: I16.self)
        return unsafeBitCast((ai & ~mask) | (bi & mask), to: F16.self)
    }

    /// eˣ lane-wise: x = k·ln2 + r (Cody–Waite, |r| ≤ ln2/2), e^r by its degree-7 Taylor
    /// polynomial (truncation < 6e-9 relative), 2^k by building the exponent bits. Returns 0 below
    /// −87.3 (true value < 1.2e-38) and +∞ from about 88.7 on.
    @inlinable @inline(__always)
    public static func exp(_ x: F16) -> F16 {
        let under = negativeMask(x + 87.3)
        let xc = select(x, F16(repeating: -87.3), where: under)
        // k = round(x·log₂e): adding 1.5·2²³ rounds to an integer held in the low mantissa bits.
        let shifted = xc * 1.44269504088896341 + 12_582_912
        let k = shifted - 12_582_912
        let kBits = unsafeBitCast(shifted, to: I16.self) &- 0x4B40_0000
        let r = xc - k * 0.693359375 - k * -2.12194440e-4
        var p = F16(repeating: 1.0 / 5040)
        p = p * r + 1.0 / 720
        p = p * r + 1.0 / 120
        p = p * r + 1.0 / 24
        p = p * r + 1.0 / 6
        p = p * r + 0.5
        p = p * r + 1
        p = p * r + 1
        let scaled = p * unsafeBitCast((kBits &+ 127) &<< 23, to: F16.self)
        return unsafeBitCast(unsafeBitCast(scaled, to: I16.self) & ~under, to: F16.self)
    }

    /// 1 + erf(x) lane-wise (= erfc(−x) = 2Φ(x√2)), accurate in relative terms in the negative tail.
    @inlinable @inline(__always)
    public static func onePlusErf(_ x: F16) -> F16 {
        let t = unsafeBitCast(unsafeBitCast(x, to: I16.self) & 0x7FFF_FFFF, to: F16.self)  // |x|
        let s = x * x
        var a = F16(repeating: -0.0005953198415227234)
        a = a * s + 0.004987120162695646
        a = a * s - 0.026763830333948135
        a = a * s + 0.11281799525022507
        a = a * s - 0.3761250376701355
        a = a * s + 0.12837915122509003
        let inner = 1 + (a * x + x)
        // Q is a polynomial: clamp t ≤ 4 before evaluating it (erfc(4) is already below Float resolution at 1).
        let tc = select(t, F16(repeating: 4), where: negativeMask(4 - t))
        var q = F16(repeating: 1.6144049368449487e-06)
        q = q * tc - 4.559788794722408e-05
        q = q * tc + 0.0005928354221396148
        q = q * tc - 0.004740556236356497
        q = q * tc + 0.026365749537944794
        q = q * tc - 0.10998023301362991
        q = q * tc - 0.6319347620010376
        q = q * tc - 1.1301681995391846
        q = q * tc + 0.00030362990219146013
        let e = exp(q)  // erfc(|x|)
        let outer = select(2 - e, e, where: negativeMask(x))
        return select(inner, outer, where: negativeMask(0.9375 - t))
    }

    /// erf(x) lane-wise.
    @inlinable @inline(__always)
    public static func erf(_ x: F16) -> F16 { onePlusErf(x) - 1 }

    /// out[i] = ½·x·(1 + erf(x/√2)) for i < n, 16 lanes at a time (the tail through a padded block).
    @inlinable
    public static func gelu(_ out: UnsafeMutablePointer<Float>, _ inp: UnsafePointer<Float>, count n: Int) {
        var i = 0
        let invSqrt2: Float = 0.70710678118654752440
        while i + 16 <= n {
            let x = UnsafeRawPointer(inp + i).loadUnaligned(as: F16.self)
            let y = 0.5 * x * onePlusErf(x * invSqrt2)
            UnsafeMutableRawPointer(out + i).storeBytes(of: y, as: F16.self)
            i += 16
        }
        if i < n {
            var x = F16(repeating: 0)
            for j in 0..<(n - i) { x[j] = inp[i + j] }
            let y = 0.5 * x * onePlusErf(x * invSqrt2)
            for j in 0..<(n - i) { out[i + j] = y[j] }
        }
    }

    /// dinp[i] += dout[i]·(Φ(x) + x·φ(x)), x = inp[i]: Φ(x) = ½(1 + erf(x/√2)) by `onePlusErf`,
    /// φ(x) = e^(−x²/2)/√(2π) by `exp`; 16 lanes at a time (the tail through a padded block).
    @inlinable
    public static func geluBackward(
        dinp: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>,
        _ inp: UnsafePointer<Float>, count n: Int
    ) {
        @inline(__always) func derivative(_ x: F16) -> F16 {
            0.5 * onePlusErf(x * 0.70710678118654752440) + x * (0.39894228040143267794 * exp(-0.5 * x * x))
        }
        var i = 0
        while i + 16 <= n {
            let x = UnsafeRawPointer(inp + i).loadUnaligned(as: F16.self)
            let d = UnsafeRawPointer(dout + i).loadUnaligned(as: F16.self)
            let g = UnsafeRawPointer(dinp + i).loadUnaligned(as: F16.self)
            UnsafeMutableRawPointer(dinp + i).storeBytes(of: g + d * derivative(x), as: F16.self)
            i += 16
        }
        if i < n {
            var x = F16(repeating: 0)
            var d = F16(repeating: 0)
            for j in 0..<(n - i) {
                x[j] = inp[i + j]
                d[j] = dout[i + j]
            }
            let y = d * derivative(x)
            for j in 0..<(n - i) { dinp[i + j] += y[j] }
        }
    }

    /// x[i] ← exp(x[i]) for i < n, 16 lanes at a time.
    @inlinable
    public static func expInPlace(_ x: UnsafeMutablePointer<Float>, count n: Int) {
        var i = 0
        while i + 16 <= n {
            let v = UnsafeRawPointer(x + i).loadUnaligned(as: F16.self)
            UnsafeMutableRawPointer(x + i).storeBytes(of: exp(v), as: F16.self)
            i += 16
        }
        if i < n {
            var v = F16(repeating: 0)
            for j in 0..<(n - i) { v[j] = x[i + j] }
            let y = exp(v)
            for j in 0..<(n - i) { x[i + j] = y[j] }
        }
    }
}
