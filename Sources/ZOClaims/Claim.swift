import ZOCore
import ZOStats

/// Where a claim comes from: the paper (or "derived here") and the theorem, lemma, figure or section.
public struct ClaimSource: Codable, Sendable, Hashable {
    public enum Paper: String, Codable, Sendable, CaseIterable {
        case mezo
        case lozo
        case subzero
        case sparseMeZO = "sparse-mezo"
        case classical
        case pitfalls
        /// Measurements on the pretrained transformer and real sentences (escalation item 7); the
        /// location names the paper whose premise or formula is measured.
        case scale
        /// A researcher's own claim (a user catalog, or registered through `ZOCheckCLI`).
        case own
    }

    public let paper: Paper
    public let location: String

    public init(paper: Paper, location: String) {
        self.paper = paper
        self.location = location
    }
}

/// Whether the suite expects the claim to hold, or exists to refute it (a wrong formula circulating
/// elsewhere, a planted bug that must be flagged).
public enum Expectation: String, Codable, Sendable {
    case holds
    case refuted
}

/// How large a run is: CI sample sizes (the fixed-seed suite, ≤ 10 minutes in all) or 10× that.
public enum SizePreset: String, Codable, Sendable, CaseIterable {
    case ci
    case full

    public func scaled(_ n: Int) -> Int { self == .ci ? n : 10 * n }
}

/// What a check runs with: the seed, the sizes, the false-fail rate, and (power mode) a planted fault.
public struct ClaimContext: Sendable {
    public let seed: UInt64
    public let size: SizePreset
    /// The α this run uses; nil means the claim's own CI α.
    public let alphaOverride: Double?
    public let fault: PlantedFault?

    public init(seed: UInt64, size: SizePreset = .ci, alpha: Double? = nil, fault: PlantedFault? = nil) {
        self.seed = seed
        self.size = size
        self.alphaOverride = alpha
        self.fault = fault
    }

    public var key: PRNGKey { PRNGKey(seed: seed) }
    public func alpha(_ claimAlpha: Double) -> Double { alphaOverride ?? claimAlpha }
    public func draws(_ n: Int) -> Int { size.scaled(n) }
}

/// One claim of the catalog: id, source, precise statement, its derivation in Proofs/, and its check.
public struct Claim: Sendable {
    public let id: String
    public let source: ClaimSource
    public let statement: String
    /// Proofs/ file and anchor, e.g. "Proofs/estimators.md#lozo-second-moment".
    public let proof: String
    /// The α the check runs at in CI (0 for exact, deterministic checks).
    public let alpha: Double
    public let expectation: Expectation
    public let check: @Sendable (ClaimContext) throws -> Verdict

    public init(
        id: String, source: ClaimSource, statement: String, proof: String, alpha: Double,
        expectation: Expectation = .holds, check: @escaping @Sendable (ClaimContext) throws -> Verdict
    ) {
        self.id = id
        self.source = source
        self.statement = statement
        self.proof = proof
        self.alpha = alpha
        self.expectation = expectation
        self.check = check
    }

    public var isExact: Bool { alpha == 0 }
}

/// A claim's verdict in a run.
public struct ClaimResult: Codable, Sendable {
    public let id: String
    public let source: ClaimSource
    public let statement: String
    public let proof: String
    public let expectation: Expectation
    public let verdict: Verdict
    public let seed: UInt64
    public let seconds: Double

    /// The verdict agrees with what the suite expects (a refuted claim must fail).
    public var agrees: Bool {
        switch expectation {
        case .holds: verdict.outcome == .pass
        case .refuted: verdict.outcome == .fail
        }
    }
}
