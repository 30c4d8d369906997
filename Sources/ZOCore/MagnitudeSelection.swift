/// The k-th smallest magnitude of a Float tensor by radix selection on bit patterns, for Sparse
/// MeZO's per-step mask (22.6M magnitudes every step at transformer scale).
///
/// For finite x, |x| is x's bits with the sign cleared, and on non-negative floats the order of
/// the values is the order of their bit patterns read as integers. So the k-th smallest |x| is found
/// by two counting passes: a histogram of the top 16 bits of |x| picks the bucket holding rank k,
/// a histogram of the low 15 bits inside that bucket picks the value. The result is the same value
/// quickselect over Double(|x|) returns (`Selection.kthSmallest`, compared in SparseMeZOTests),
/// with no copy of the tensor (quickselect needed an 8-byte magnitude per entry: 94 MB for the
/// word-embedding table) and in two streaming passes instead of ~2n random swaps.
public enum MagnitudeSelection {
    /// (k-th smallest |x_i| (0-based rank), number of i with |x_i| strictly below it). x finite, 0 ≤ k < x.count.
    public static func kthSmallestMagnitude(_ x: UnsafeBufferPointer<Float>, _ k: Int) -> (value: Float, below: Int) {
        precondition(k >= 0 && k < x.count, "kthSmallestMagnitude: k out of range")
        let high = [Int](unsafeUninitializedCapacity: 1 << 16) { h, n in
            h.initialize(repeating: 0)
            for v in x { h[Int((v.bitPattern & 0x7FFF_FFFF) >> 15)] += 1 }
            n = 1 << 16
        }
        var below = 0, bucket = 0
        while below + high[bucket] <= k { below += high[bucket]; bucket += 1 }
        let low = [Int](unsafeUninitializedCapacity: 1 << 15) { h, n in
            h.initialize(repeating: 0)
            let b = UInt32(bucket)
            for v in x {
                let a = v.bitPattern & 0x7FFF_FFFF
                if a >> 15 == b { h[Int(a & 0x7FFF)] += 1 }
            }
            n = 1 << 15
        }
        var digit = 0
        while below + low[digit] <= k { below += low[digit]; digit += 1 }
        return (Float(bitPattern: UInt32(bucket) << 15 | UInt32(digit)), below)
    }

    /// Sparse MeZO's mask bits of one tensor: the k entries of smallest |x|, ties at the threshold
    /// broken by index (the rule of `SparseMeZO.mask`), 64 entries per word, least significant first.
    /// Returns the bits and the threshold h (−∞ when k = 0).
    public static func smallestMagnitudeBits(_ x: UnsafeBufferPointer<Float>, keep k: Int) -> (bits: [UInt64], threshold: Double) {
        var words = [UInt64](repeating: 0, count: (x.count + 63) / 64)
        guard k > 0 else { return (words, -.infinity) }
        let (h, below) = kthSmallestMagnitude(x, k - 1)
        let hb = h.bitPattern
        var ties = k - below
        words.withUnsafeMutableBufferPointer { w in
            for start in stride(from: 0, to: x.count, by: 64) {
                let end = min(start + 64, x.count)
                // Branch-free fast path: bit i = (|x_i| < h), the sign of |x_i| − h (both < 2³¹);
                // a word holding a tie at h is redone below in index order.
                var word: UInt64 = 0, tie: UInt32 = 0
                for i in start..<end {
                    let d = (x[i].bitPattern & 0x7FFF_FFFF) &- hb
                    word |= UInt64(d >> 31) << UInt64(i - start)
                    tie |= d == 0 ? 1 : 0
                }
                if tie == 0 { w[start >> 6] = word; continue }
                word = 0
                for i in start..<end {
                    let a = x[i].bitPattern & 0x7FFF_FFFF
                    if a < hb || (a == hb && ties > 0) {
                        if a == hb { ties -= 1 }
                        word |= 1 << UInt64(i - start)
                    }
                }
                w[start >> 6] = word
            }
        }
        return (words, Double(h))
    }
}
