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
        // A NaN or ±∞ statistic, or a NaN p-value, is never a PASS: it means non-finite data (a diverging
        // run, an overflow) or a broken computation. It fails with p = 0, so Holm combinations fail too.
        if outcome == .pass, !statistic.isFinite || pValue.isNaN {
            self.outcome = .fail
            self.pValue = 0
            self.details = "non-finite statistic \(statistic) (p = \(pValue)): fails. " + details
        }
    }

    /// FAIL for data that contain NaN or ±∞ (`count` of `n` values; the first at `firstIndex`).
    public static func nonFinite(check: String, count: Int, n: Int, firstIndex: Int, value: Double, alpha: Double)
        -> Verdict
    {
        Verdict(
            check: check, statistic: .nan, pValue: 0, n: n, alpha: alpha, detectableEffect: .nan, outcome: .fail,
            details: """
                \(count) of \(n) values are not finite (first: index \(firstIndex) = \(value)): a diverging or \
                overflowing run fails the check
                """)
    }

    /// FAIL when the target of a check is not finite, nil otherwise.
    public static func nonFiniteTarget(_ target: [Double], check: String, alpha: Double) -> Verdict? {
        guard let first = target.firstIndex(where: { !$0.isFinite }) else { return nil }
        return Verdict(
            check: check, statistic: .nan, pValue: 0, n: 0, alpha: alpha, detectableEffect: .nan, outcome: .fail,
            details: "the target is not finite (entry \(first) = \(target[first]))")
    }

    /// `nonFinite` for the first non-finite entry of `values`, or nil when every value is finite.
    public static func nonFinite(in values: [Double], check: String, alpha: Double) -> Verdict? {
        guard let first = values.firstIndex(where: { !$0.isFinite }) else { return nil }
        return nonFinite(
            check: check, count: values.count(where: { !$0.isFinite }), n: values.count, firstIndex: first,
            value: values[first], alpha: alpha)
    }

    /// pass/fail from the p-value, downgraded to inconclusive when the design could not detect `required`.
    public static func decide(pValue: Double, alpha: Double, detectable: Double, required: Double?) -> Outcome {
        if !(pValue >= alpha) { return .fail }  // NaN p fails
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
