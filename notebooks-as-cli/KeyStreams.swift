import ZOCheck

/// The key streams of the `zocheck` commands and notebooks, under the run's root key `PRNGKey(seed:)`
/// (Proofs/rng.md#key-streams). Each notebook uses only its own rows, so numbers repeat across notebooks.
extension KeyStream {
    /// The synthetic problem (lazy-sampling, rank-sweep).
    static let problem = KeyStream("problem", 1)
    /// compare: the problem, then the estimators' draws.
    static let compareProblem = KeyStream("compareProblem", 0)
    static let comparisonDraws = KeyStream("comparisonDraws", 1)
    /// lazy-sampling: blocks of estimator e (then ν's index, then the block), the fixed-V blocks (then the
    /// block), the random test directions of block b, ZO-SGD run r (then the seed).
    static func lazyBlocks(_ e: Int) -> KeyStream { KeyStream("lazyBlocks", 100 + e) }
    static let fixedVBlocks = KeyStream("fixedVBlocks", 300)
    static func testDirections(_ b: Int) -> KeyStream { KeyStream("testDirections", 400 + b) }
    static func sgdRun(_ r: Int) -> KeyStream { KeyStream("sgdRun", 500 + r) }
    /// bias-vs-epsilon: the two test beds, then bed b's draws (then the ε index).
    static let cosineSumBed = KeyStream("cosineSumBed", 1)
    static let logisticBed = KeyStream("logisticBed", 2)
    static func bedDraws(_ b: Int) -> KeyStream { KeyStream("bedDraws", 100 + b) }
    /// bias-vs-epsilon: registered estimator e's draws (then the bed, then the ε index).
    static func registeredBiasDraws(_ e: Int) -> KeyStream { KeyStream("registeredBiasDraws", 200 + e) }
    /// restore-drift: under a cell's seed key, the starting point and the perturbation draws.
    static let startingPoint = KeyStream("startingPoint", 1)
    static let driftDraws = KeyStream("driftDraws", 2)
    /// convergence-rates: the runs of dimension index d (then T's index, then the seed).
    static func dimensionRun(_ d: Int) -> KeyStream { KeyStream("dimensionRun", 100 + d) }
    /// convergence-rates: registered estimator e's runs (then d's index, T's index and the seed).
    static func registeredRuns(_ e: Int) -> KeyStream { KeyStream("registeredRuns", 1000 + e) }
    /// gradient-structure: i.i.d. Gaussian matrices of each shape (then the tensor index).
    static let randomMatrices = KeyStream("randomMatrices", 77)
    /// rank-sweep: MeZO's draws, the draws at rank index r, the Rao–Blackwellised V at rank index r.
    static let mezoDraws = KeyStream("mezoDraws", 9)
    static func rankDraws(_ r: Int) -> KeyStream { KeyStream("rankDraws", 10 + r) }
    static func raoBlackwellDraws(_ r: Int) -> KeyStream { KeyStream("raoBlackwellDraws", 20 + r) }
    /// variance-vs-dimension: the draws at dimension index k.
    static func dimensionDraws(_ k: Int) -> KeyStream { KeyStream("dimensionDraws", 1000 + k) }
}
