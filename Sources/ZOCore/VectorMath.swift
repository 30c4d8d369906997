/// Vectorised elementary functions for the Gaussian fill (Box–Muller on Philox output).
///
/// libm's scalar `log`/`cos` cost ~20 ns a call and cap the fill near 50 M samples/s; these
/// polynomial kernels run 16 lanes at a time. Error bounds (derived in Proofs/rng.md §Box–Muller):
/// - `log01`: x ∈ (0, 1]; atanh series of ln m, m ∈ [√½, √2), |s| ≤ 0.1716, truncation
///   < 7e-10, so the result is within a few ulp of ln x.
/// - `sinCosTurn`: angle 2π·k/2²⁴ for integer k ∈ [0, 2²⁴); the quadrant reduction is exact
///   (integer arithmetic); Taylor polynomials on [−π/4, π/4] truncate below 2.5e-8.
public enum VectorMath {
    /// ln x for x ∈ (0, 1] (also correct for any normal positive x).
    @inlinable @inline(__always)
    public static func log01(_ x: SIMD16<Float>) -> SIMD16<Float> {
        let bits = unsafeBitCast(x, to: SIMD16<UInt32>.self)
        var e = SIMD16<Int32>(truncatingIfNeeded: bits &>> 23) &- 127
        var m = unsafeBitCast((bits & 0x007F_FFFF) | 0x3F80_0000, to: SIMD16<Float>.self)
        // Move m from [1, 2) to [√½, √2) so that |s| stays small.
        let big = m .> SIMD16<Float>(repeating: 1.41421356)
        m = m.replacing(with: m * 0.5, where: big)
        e = e.replacing(with: e &+ 1, where: big)
        let s = (m - 1) / (m + 1)
        let s2 = s * s
        var p = SIMD16<Float>(repeating: 1.0 / 9.0)
        p = p * s2 + 1.0 / 7.0
        p = p * s2 + 1.0 / 5.0
        p = p * s2 + 1.0 / 3.0
        p = p * s2 + 1.0
        let lnm = 2 * s * p
        return SIMD16<Float>(e) * 0.693147180559945309 + lnm
    }

    /// (cos 2πt, sin 2πt) for t = k·2⁻²⁴, k ∈ [0, 2²⁴) given as integers.
    @inlinable @inline(__always)
    public static func sinCosTurn(_ k: SIMD16<UInt32>) -> (cos: SIMD16<Float>, sin: SIMD16<Float>) {
        // Quadrant q = round(4t) and remainder f = 4t − q ∈ [−½, ½], exactly, in integers.
        let q = (k &+ (1 << 21)) &>> 22
        let rem = SIMD16<Int32>(truncatingIfNeeded: k) &- SIMD16<Int32>(truncatingIfNeeded: q &<< 22)
        let phi = SIMD16<Float>(rem) * Float(Double.pi / 2 / Double(1 << 22))
        let p2 = phi * phi
        var sp = SIMD16<Float>(repeating: 1.0 / 362880.0)
        sp = sp * p2 - 1.0 / 5040.0
        sp = sp * p2 + 1.0 / 120.0
        sp = sp * p2 - 1.0 / 6.0
        sp = sp * p2 + 1.0
        let s = phi * sp
        var cp = SIMD16<Float>(repeating: 1.0 / 40320.0)
        cp = cp * p2 - 1.0 / 720.0
        cp = cp * p2 + 1.0 / 24.0
        cp = cp * p2 - 0.5
        let c = cp * p2 + 1.0
        // Rotate by q·π/2: q=0 (c,s), 1 (−s,c), 2 (−c,−s), 3 (s,−c).
        let swap = (q & 1) .!= 0
        let cc = c.replacing(with: s, where: swap)
        let ss = s.replacing(with: c, where: swap)
        let negCos = ((q &+ 1) & 2) .!= 0
        let negSin = (q & 2) .!= 0
        return (cc.replacing(with: -cc, where: negCos), ss.replacing(with: -ss, where: negSin))
    }
}
