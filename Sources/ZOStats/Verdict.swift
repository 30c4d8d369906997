/// The outcome of a statistical check. "A correct sampler can still fail a test by chance": a
/// `fail` happens with probability at most α when the claim is true; `inconclusive` means the
/// check passed but could not have detected the smallest effect it was asked to detect.
public enum Outcome: String, Codable, Sendable, Comparable {
    case pass
    case inconclusive
    case fail

    var severity: Int {
        switch self {
        case .pass: 0
        case .inconclusive: 1
        case .fail: 2
        }
    }

    public static func < (a: Outcome, b: Outcome) -> Bool { a.severity < b.severity }
}

/// What a check reports: the statistic, its p-value, the sample size, the false-fail rate α it was
/// run at, and the smallest discrepancy it detects at that n with power 1 − β (in the units of
/// `effectUnit`).
public struct Verdict: Codable, Sendable, CustomStringConvertible {
    public var check: String
    public var statistic: Double
    public var pValue: Double
    public var n: Int
    public var alpha: Double
    public var detectableEffect: Double
    public var effectUnit: String
    public var outcome: Outcome
    /// Free text: estimates, intervals, the seed.
    public var details: String

    public init(
        check: String, statistic: Double, pValue: Double, n: Int, alpha: Double,
        detectableEffect: Double, effectUnit: String = "", outcome: Outcome, details: String = ""
    ) {
        self.check = check
        self.statistic = statistic
        self.pValue = pValue
        self.n = n
        self.alpha = alpha
        self.detectableEffect = detectableEffect
        self.effectUnit = effectUnit
        self.outcome = outcome
        self.details = details
    }

    /// pass/fail from the p-value, downgraded to inconclusive when the design could not detect `required`.
    public static func decide(pValue: Double, alpha: Double, detectable: Double, required: Double?) -> Outcome {
        if pValue < alpha { return .fail }
        if let required, detectable > required { return .inconclusive }
        return .pass
    }

    public var description: String {
        """
        \(outcome.rawValue.uppercased()) \(check): statistic \(statistic), p = \(pValue), n = \(n), α = \(alpha), \
        detects \(detectableEffect) \(effectUnit). \(details)
        """
    }
}

/// Power used by every design function unless stated: 1 − β = 0.95.
public let defaultPower = 0.95
