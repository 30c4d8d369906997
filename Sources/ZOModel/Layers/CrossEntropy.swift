import Foundation

// Softmax cross-entropy of the classification head's logits (the head itself is a `Linear`).
//
// Legend: B batch, K classes. ℓ_b = logsumexp(z_b) − z_b[y_b], computed with the maximum
// subtracted and summed in Double; the returned total is Σ_b ℓ_b (callers divide by the number
// of examples, which for chunked batches is not B).

public enum CrossEntropy {
    /// Writes the class probabilities and returns Σ_b ℓ_b in Double.
    @inlinable
    public static func forward<T: EncoderScalar>(
        probs: UnsafeMutablePointer<T>,  // (B, K)
        logits: UnsafePointer<T>,  // (B, K)
        labels: UnsafePointer<Int32>,  // (B) in 0..<K
        batch b: Int, classes k: Int
    ) -> Double {
        var total = 0.0
        for bi in 0..<b {
            let z = logits + bi * k
            var m = -Double.infinity
            for j in 0..<k { m = max(m, Double(z[j])) }
            var s = 0.0
            for j in 0..<k { s += Double.exponential(Double(z[j]) - m) }
            let lse = m + log(s)
            for j in 0..<k { probs[bi * k + j] = T(Double.exponential(Double(z[j]) - lse)) }
            total += lse - Double(z[Int(labels[bi])])
        }
        return total
    }

    /// dlogits += scale·(p − onehot(y)), with scale = 1/(examples in the mean).
    @inlinable
    public static func backward<T: EncoderScalar>(
        dlogits: UnsafeMutablePointer<T>,  // (B, K)
        probs: UnsafePointer<T>,  // (B, K)
        labels: UnsafePointer<Int32>,  // (B)
        scale: Double,
        batch b: Int, classes k: Int
    ) {
        for bi in 0..<b {
            for j in 0..<k {
                let target = j == Int(labels[bi]) ? 1.0 : 0.0
                dlogits[bi * k + j] += T(scale * (Double(probs[bi * k + j]) - target))
            }
        }
    }
}
