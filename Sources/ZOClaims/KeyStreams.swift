import ZOCore

/// The key streams of the synthetic claims, all under the claim's root key `ClaimContext.key`
/// (Proofs/rng.md#key-streams). Numbers repeat across claims (each claim has its own root) but never
/// inside one claim.
extension KeyStream {
    /// The problem, or its gradient G (a low-rank quadratic's, a random g).
    static let problem = KeyStream("problem", 1)
    /// The estimates of the check: draw k at step k under `.draws` then `fold(in: k)` (`Checks.estimates`).
    static let draws = KeyStream("draws", 2)
    /// θ₀ of a run whose draws use the root key itself (LOZOM-PROJECTION).
    static let startingPoint = KeyStream("startingPoint", 2)
    /// Random parameters θ (Sparse MeZO's masks, the regeneration layouts).
    static let parameters = KeyStream("parameters", 3)
    /// A second estimator's independent draws (MeZO's beside SubZero's).
    static let referenceDraws = KeyStream("referenceDraws", 3)
    /// LOZO's V for the Rao–Blackwellised second moment, draw k then `fold(in: k)`.
    static let conditionalDraws = KeyStream("conditionalDraws", 5)
    /// The pilot draws that size a template (`TemplateSizing`): far above any draw index k < maxDraws.
    static let templatePilot = KeyStream("templatePilot", -1)
    /// The k-th random direction of `Checks.unbiased` (7000 + k).
    static func randomDirection(_ k: Int) -> KeyStream { KeyStream("randomDirection", 7_000 + k) }
    /// Seed s of a multi-seed run of SPARSE-THEOREM-1 (100 + s).
    static func seedRun(_ s: Int) -> KeyStream { KeyStream("seedRun", 100 + s) }
    /// Seed s of ZO-SGD-BOUND (10 + s).
    static func boundRun(_ s: Int) -> KeyStream { KeyStream("boundRun", 10 + s) }
    /// Seed s of the ZO-SGD-RATE cell (d, T = multiple·(d + 2)): d·1000 + multiple·10 + s.
    static func rateCell(d: Int, multiple: Int, seed s: Int) -> KeyStream {
        KeyStream("rateCell", d * 1000 + multiple * 10 + s)
    }
}
