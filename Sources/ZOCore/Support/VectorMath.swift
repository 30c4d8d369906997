/// Vectorised elementary functions for the Gaussian fill (Box–Muller on Philox output).
///
/// libm's scalar `log`/`cos` cost ~20 ns a call and cap the fill near 50 M samples/s; these
/// kernels run 16 lanes at a time using only lane-wise arithmetic and bit operations (Swift's
/// SIMD int↔float conversions are element-by-element library calls, so every conversion here
/// is a bit trick: OR-ing a small integer into the mantissa of 2²³ or 1.0).
/// Error bounds (derived in Proofs/rng.md §Box–Muller):
/// - `log`: x normal and positive; ln x = e ln 2 + ln m with m ∈ [√½, √2) and the atanh
///   series of ln m to s⁹, |s| ≤ 0.1716: truncation < 7e-10, result within a few ulp.
/// - `sinCosTurn`: angle 2π·k/2²³ for integer k ∈ [0, 2²³); quadrant reduction exact in
///   integers; Taylor polynomials on [−π/4, π/4] (sin to φ⁹, cos to φ⁸) truncate below 2.5e-8.
public enum VectorMath {
    public typealias F16 = SIMD16<Float>
    public typealias U16 = SIMD16<UInt32>

    /// Exact float value of integers 0 ≤ n < 2²³.
    @inlinable @inline(__always)
    public static func smallIntToFloat(_ n: U16) -> F16 {
        unsafeBitCast(n | 0x4B00_0000, to: F16.self) - 8_388_608
    }

    /// 1 + n·2⁻²³ ∈ [1, 2) for 23-bit n, exactly.
    @inlinable @inline(__always)
    public static func oneToTwo(_ n: U16) -> F16 {
        unsafeBitCast(n | 0x3F80_0000, to: F16.self)
    }

    /// √x for x ≥ 0 (x = 0 gives 0). `SIMD16<Float>.squareRoot()` is scalarised into 16 calls
    /// of `sqrtf`; this is x·(1/√x) with the bit-level initial guess 0x5F375A86 − bits/2
    /// (relative error ≤ 1.8e-3) and three Newton steps y ← y(3/2 − x y²/2), which square the
    /// error each time (≤ 5e-6, then ≤ 4e-11, below Float rounding). Proofs/rng.md §Box–Muller.
    @inlinable @inline(__always)
    public static func sqrt(_ x: F16) -> F16 {
        var y = unsafeBitCast(U16(repeating: 0x5F37_5A86) &- (unsafeBitCast(x, to: U16.self) &>> 1), to: F16.self)
        let half = x * 0.5
        y = y * (1.5 - half * y * y)
        y = y * (1.5 - half * y * y)
        y = y * (1.5 - half * y * y)
        return x * y
    }

    /// ln x for positive normal x.
    @inlinable @inline(__always)
    public static func log(_ x: F16) -> F16 {
        // Shift so that the mantissa lands in [√½, √2): add (1.0 − √½)'s bit distance, then
        // split exponent and mantissa and add √½'s bits back (Cephes/SLEEF-style, integers only).
        let bits = unsafeBitCast(x, to: U16.self) &+ (0x3F80_0000 &- 0x3F35_04F3)
        let e = smallIntToFloat(bits &>> 23) - 127
        let m = unsafeBitCast((bits & 0x007F_FFFF) &+ 0x3F35_04F3, to: F16.self)
        let s = (m - 1) / (m + 1)
        let s2 = s * s
        var p = F16(repeating: 1.0 / 9.0)
        p = p * s2 + 1.0 / 7.0
        p = p * s2 + 1.0 / 5.0
        p = p * s2 + 1.0 / 3.0
        p = p * s2 + 1.0
        return e * 0.693147180559945309 + 2 * s * p
    }

    /// (cos 2πt, sin 2πt) for t = k·2⁻²³, k ∈ [0, 2²³) given as integers.
    @inlinable @inline(__always)
    public static func sinCosTurn(_ k: U16) -> (cos: F16, sin: F16) {
        // Quadrant q = round(4t), remainder f = 4t − q ∈ [−½, ½], exactly, in integers (2²¹ per quadrant).
        let q = (k &+ (1 << 20)) &>> 21
        let shifted = (k &+ (1 << 20)) & 0x1F_FFFF  // rem + 2²⁰ ∈ [0, 2²¹)
        let phi = (smallIntToFloat(shifted) - 1_048_576) * Float(Double.pi / 2 / Double(1 << 21))
        let p2 = phi * phi
        var sp = F16(repeating: 1.0 / 362880.0)
        sp = sp * p2 - 1.0 / 5040.0
        sp = sp * p2 + 1.0 / 120.0
        sp = sp * p2 - 1.0 / 6.0
        sp = sp * p2 + 1.0
        let s = unsafeBitCast(phi * sp, to: U16.self)
        var cp = F16(repeating: 1.0 / 40320.0)
        cp = cp * p2 - 1.0 / 720.0
        cp = cp * p2 + 1.0 / 24.0
        cp = cp * p2 - 0.5
        let c = unsafeBitCast(cp * p2 + 1.0, to: U16.self)
        // Rotate by q·π/2: q=0 (c,s), 1 (−s,c), 2 (−c,−s), 3 (s,−c), with bit operations.
        let swap = U16(repeating: 0) &- (q & 1)  // all ones where q is odd
        let cc = (c & ~swap) | (s & swap)
        let ss = (s & ~swap) | (c & swap)
        let cosSign = ((q &+ 1) & 2) &<< 30
        let sinSign = (q & 2) &<< 30
        return (unsafeBitCast(cc ^ cosSign, to: F16.self), unsafeBitCast(ss ^ sinSign, to: F16.self))
    }
}
