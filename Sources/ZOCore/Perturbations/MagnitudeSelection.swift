/// The k-th smallest magnitude of a Float tensor by radix selection on bit patterns, for Sparse
/// MeZO's per-step mask (22.6M magnitudes every step at transformer scale).
///
/// For finite x, |x| is x's bits with the sign cleared, and on non-negative floats the order of
/// the values is the order of their bit patterns read as integers. So the k-th smallest |x| is found
/// by two passes: a histogram of the top 16 bits of |x| picks the bucket holding rank k, and a
/// second pass collects that bucket's entries, whose low 15 bits pick the value. The result is the same value
/// quickselect over Double(|x|) returns (`Selection.kthSmallest`, compared in SparseMeZOTests),
/// with no copy of the tensor (quickselect needed an 8-byte magnitude per entry: 94 MB for the
/// word-embedding table) and in two streaming passes instead of ~2n random swaps.
public enum MagnitudeSelection {
    /// (k-th smallest |x_i| (0-based rank), number of i with |x_i| strictly below it). x finite, 0 ≤ k < x.count.
    public static func kthSmallestMagnitude(_ x: UnsafeBufferPointer<Float>, _ k: Int) -> (value: Float, below: Int) {
        precondition(k >= 0 && k < x.count, "kthSmallestMagnitude: k out of range")
        let (bucket, below) = rankBucket(x, k)
        var candidates: [Int] = []
        x.withMemoryRebound(to: UInt32.self) { bits in
            for i in bits.indices where (bits[i] & 0x7FFF_FFFF) &>> 15 == bucket { candidates.append(i) }
        }
        return candidateValue(x, candidates, bucket: bucket, below: below, rank: k)
    }

    /// The bucket (top 16 bits of |x|) holding rank k, and the number of entries in lower buckets,
    /// all strictly below every entry of that bucket.
    static func rankBucket(_ x: UnsafeBufferPointer<Float>, _ k: Int) -> (bucket: UInt32, below: Int) {
        let high = highHistogram(x)
        var below = 0
        var bucket = 0
        while below + high[bucket] <= k {
            below += high[bucket]
            bucket += 1
        }
        return (UInt32(bucket), below)
    }

    /// The value of rank k and the number of entries strictly below it, from the entries of the
    /// rank's bucket alone (`candidates`, its indices) and `below`, the count in lower buckets: the
    /// (k − below)-th smallest low 15-bit digit among the candidates, by a histogram of the digits
    /// when there are many, by sorting them when there are few (the same digit either way).
    static func candidateValue(
        _ x: UnsafeBufferPointer<Float>, _ candidates: [Int], bucket: UInt32, below: Int,
        rank k: Int
    ) -> (value: Float, below: Int) {
        var below = below
        var digit = 0
        if candidates.count > 1 << 12 {
            var low = [Int](repeating: 0, count: 1 << 15)
            for i in candidates { low[Int(x[i].bitPattern & 0x7FFF)] += 1 }
            while below + low[digit] <= k {
                below += low[digit]
                digit += 1
            }
        } else {
            let lows = candidates.map { Int(x[$0].bitPattern & 0x7FFF) }.sorted()
            digit = lows[k - below]
            below += lows.prefix { $0 < digit }.count
        }
        return (Float(bitPattern: bucket << 15 | UInt32(digit)), below)
    }

    /// Counts of the top 16 bits of |x| (bits 30…15), for each of the 2¹⁶ buckets.
    static func highHistogram(_ x: UnsafeBufferPointer<Float>) -> [Int] {
        // Four interleaved sub-histograms (UInt32 counts; a tensor has < 2³² entries), summed at the
        // end: weights cluster in few buckets, and one histogram would stall on store-to-load
        // forwarding between consecutive increments of the same counter. The counts are exact.
        return [Int](unsafeUninitializedCapacity: 1 << 16) { h, n in
            h.initialize(repeating: 0)
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 4 << 16) { sub in
                sub.initialize(repeating: 0)
                guard let hs = sub.baseAddress else { return }
                x.withMemoryRebound(to: UInt32.self) { bits in
                    let count = bits.count
                    var i = 0
                    while i &+ 4 <= count {
                        hs[Int((bits[i] & 0x7FFF_FFFF) &>> 15)] &+= 1
                        hs[65_536 &+ Int((bits[i &+ 1] & 0x7FFF_FFFF) &>> 15)] &+= 1
                        hs[131_072 &+ Int((bits[i &+ 2] & 0x7FFF_FFFF) &>> 15)] &+= 1
                        hs[196_608 &+ Int((bits[i &+ 3] & 0x7FFF_FFFF) &>> 15)] &+= 1
                        i &+= 4
                    }
                    while i < count {
                        hs[Int((bits[i] & 0x7FFF_FFFF) &>> 15)] &+= 1
                        i &+= 1
                    }
                }
                for b in 0..<(1 << 16) {
                    h[b] = Int(hs[b]) + Int(hs[65_536 + b]) + Int(hs[131_072 + b]) + Int(hs[196_608 + b])
                }
            }
            n = 1 << 16
        }
    }

    /// Sparse MeZO's mask bits of one tensor: the k entries of smallest |x|, ties at the threshold
    /// broken by index (the rule of `SparseMeZO.mask`), 64 entries per word, least significant first.
    /// Returns the bits and the threshold h (−∞ when k = 0).
    public static func smallestMagnitudeBits(_ x: UnsafeBufferPointer<Float>, keep k: Int) -> (
        bits: [UInt64], threshold: Double
    ) {
        var words = [UInt64](repeating: 0, count: (x.count + 63) / 64)
        guard k > 0 else { return (words, -.infinity) }
        // Two passes over x instead of three (the passes are memory-bound: 91 MB each for the model).
        // 1. The bucket b holding rank k − 1 (the top-16-bit histogram).
        // 2. One pass sets the bits of the entries in lower buckets (|x| < h for sure, h being in b)
        //    and collects the entries of bucket b (index order); the threshold h and the bits of
        //    those candidates follow from them alone: |x| < h kept, ties at h in index order.
        let (b, inLower) = rankBucket(x, k - 1)
        var candidates: [Int] = []
        x.withMemoryRebound(to: UInt32.self) { bits in
            words.withUnsafeMutableBufferPointer { w in
                for start in stride(from: 0, to: bits.count, by: 64) {
                    let end = min(start + 64, bits.count)
                    var word: UInt64 = 0
                    var inBucket: UInt32 = 0
                    for i in start..<end {
                        let hi = (bits[i] & 0x7FFF_FFFF) &>> 15
                        word |= UInt64((hi &- b) >> 31) << UInt64(i &- start)
                        inBucket |= hi == b ? 1 : 0
                    }
                    w[start >> 6] = word
                    if inBucket != 0 {
                        for i in start..<end where (bits[i] & 0x7FFF_FFFF) &>> 15 == b { candidates.append(i) }
                    }
                }
            }
        }
        let (h, below) = candidateValue(x, candidates, bucket: b, below: inLower, rank: k - 1)
        let hb = h.bitPattern
        var ties = k - below
        for i in candidates {
            let a = x[i].bitPattern & 0x7FFF_FFFF
            if a < hb || (a == hb && ties > 0) {
                if a == hb { ties -= 1 }
                words[i >> 6] |= 1 << UInt64(i & 63)
            }
        }
        return (words, Double(h))
    }
}
