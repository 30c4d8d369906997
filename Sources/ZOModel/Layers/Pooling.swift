// Mean pooling over the non-padded tokens (sentence-transformers' pooling for all-MiniLM-L6-v2):
// pooled[b,:] = Σ_t mask[b,t]·x[b,t,:] / max(Σ_t mask[b,t], 1e-9).
//
// Legend: B batch, T tokens, C hidden. Sums in Double (T can be 512 tokens).

public enum MeanPooling {
    @inlinable
    public static func forward<T: EncoderScalar>(
        _ pooled: UnsafeMutablePointer<T>,  // (B, C)
        _ x: UnsafePointer<T>,  // (B, T, C)
        mask: UnsafePointer<Int32>,  // (B, T)
        batch b: Int, length t: Int, channels c: Int
    ) {
        let acc = UnsafeMutablePointer<Double>.allocate(capacity: c)
        defer { acc.deallocate() }
        for bi in 0..<b {
            acc.initialize(repeating: 0, count: c)
            var count = 0.0
            for ti in 0..<t where mask[bi * t + ti] != 0 {
                count += 1
                let row = x + (bi * t + ti) * c
                for i in 0..<c { acc[i] += Double(row[i]) }
            }
            // sentence-transformers clamps the count at 1e-9; a sequence of padding only is rejected earlier.
            let inv = 1 / max(count, 1e-9)
            for i in 0..<c { pooled[bi * c + i] = T(acc[i] * inv) }
        }
    }

    /// dx[b,t,:] += mask[b,t]·dpooled[b,:] / count_b.
    @inlinable
    public static func backward<T: EncoderScalar>(
        dx: UnsafeMutablePointer<T>,  // (B, T, C)
        dpooled: UnsafePointer<T>,  // (B, C)
        mask: UnsafePointer<Int32>,  // (B, T)
        batch b: Int, length t: Int, channels c: Int
    ) {
        for bi in 0..<b {
            var count = 0.0
            for ti in 0..<t where mask[bi * t + ti] != 0 { count += 1 }
            let inv = T(1 / max(count, 1e-9))
            for ti in 0..<t where mask[bi * t + ti] != 0 {
                let row = dx + (bi * t + ti) * c
                for i in 0..<c { row[i] += dpooled[bi * c + i] * inv }
            }
        }
    }
}
