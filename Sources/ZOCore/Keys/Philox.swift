/// Philox4x32-10, the counter-based generator of Salmon, Moraes, Dror and Shaw,
/// "Parallel random numbers: as easy as 1, 2, 3" (SC'11), as specified by Random123.
///
/// A block maps a 128-bit counter and a 64-bit key to 128 random bits. There is no state:
/// the n-th number of a stream is a function of (key, n) alone, which is what makes every
/// perturbation in ZOCheck regenerable in any order. Known-answer vectors from Random123's
/// `kat_vectors` are checked in `PhiloxTests`.
public enum Philox4x32 {
    public static let multiplier0: UInt32 = 0xD251_1F53
    public static let multiplier1: UInt32 = 0xCD9E_8D57
    public static let weyl0: UInt32 = 0x9E37_79B9
    public static let weyl1: UInt32 = 0xBB67_AE85
    public static let rounds = 10

    /// One block: counter (c0, c1, c2, c3), key (k0, k1) → four 32-bit words.
    @inlinable
    public static func block(counter: SIMD4<UInt32>, key: SIMD2<UInt32>) -> SIMD4<UInt32> {
        var c = counter
        var k = key
        for r in 0..<rounds {
            if r > 0 { k &+= SIMD2(weyl0, weyl1) }
            let p0 = UInt64(multiplier0) &* UInt64(c[0])
            let p1 = UInt64(multiplier1) &* UInt64(c[2])
            c = SIMD4(
                UInt32(truncatingIfNeeded: p1 >> 32) ^ c[1] ^ k[0],
                UInt32(truncatingIfNeeded: p1),
                UInt32(truncatingIfNeeded: p0 >> 32) ^ c[3] ^ k[1],
                UInt32(truncatingIfNeeded: p0))
        }
        return c
    }

    /// Sixteen blocks at once, lane-parallel (AVX-512 lanes when built with `-target-cpu native`).
    /// Lane j computes `block(counter: (c0[j], c1[j], c2, c3), key:)`. Output words are
    /// returned as four vectors: `w.0[j]` is word 0 of lane j, and so on.
    ///
    /// The 32×32→64 products are formed on the even and odd lanes separately through
    /// `SIMD8<UInt64>` views (one `vpmuludq` each): Swift's SIMD widening conversions are
    /// element-by-element library calls and made this 6× slower.
    @inlinable @inline(__always)
    public static func block16(
        c0: SIMD16<UInt32>, c1: SIMD16<UInt32>, c2: UInt32, c3: UInt32,
        key: SIMD2<UInt32>
    )
        -> (SIMD16<UInt32>, SIMD16<UInt32>, SIMD16<UInt32>, SIMD16<UInt32>)
    {
        var x0 = c0
        var x1 = c1
        var x2 = SIMD16<UInt32>(repeating: c2)
        var x3 = SIMD16<UInt32>(repeating: c3)
        var k0 = key[0]
        var k1 = key[1]
        for r in 0..<rounds {
            if r > 0 {
                k0 &+= weyl0
                k1 &+= weyl1
            }
            let (hi0, lo0) = mulHiLo(x0, multiplier0)
            let (hi1, lo1) = mulHiLo(x2, multiplier1)
            let n0 = hi1 ^ x1 ^ SIMD16(repeating: k0)
            let n2 = hi0 ^ x3 ^ SIMD16(repeating: k1)
            x1 = lo1
            x3 = lo0
            x0 = n0
            x2 = n2
        }
        return (x0, x1, x2, x3)
    }

    /// Lane-wise (high, low) 32-bit halves of the 64-bit product x·m.
    @inlinable @inline(__always)
    static func mulHiLo(_ x: SIMD16<UInt32>, _ m: UInt32) -> (SIMD16<UInt32>, SIMD16<UInt32>) {
        let wide = unsafeBitCast(x, to: SIMD8<UInt64>.self)
        let low32 = SIMD8<UInt64>(repeating: 0xFFFF_FFFF)
        let mm = SIMD8<UInt64>(repeating: UInt64(m))
        let even = (wide & low32) &* mm  // products of lanes 0, 2, 4, …
        let odd = (wide &>> 32) &* mm  // products of lanes 1, 3, 5, …
        let hi = (even &>> 32) | (odd & ~low32)
        let lo = (even & low32) | (odd &<< 32)
        return (unsafeBitCast(hi, to: SIMD16<UInt32>.self), unsafeBitCast(lo, to: SIMD16<UInt32>.self))
    }
}
