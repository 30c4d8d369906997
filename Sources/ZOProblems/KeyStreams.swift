import ZOCore

/// The key streams of the synthetic problems, under a problem's key (Proofs/rng.md#key-streams).
extension KeyStream {
    /// The orthonormal factors L and R of a `LowRankFactor` M = L diag(σ) Rᵀ.
    static let leftFactors = KeyStream("leftFactors", 0)
    static let rightFactors = KeyStream("rightFactors", 1)
}
