import Foundation
import ZOCheck
import ZOReports

/// Small conversions shared by the notebooks.
enum NB {
    /// A report row from a statistical verdict.
    static func row(_ claim: String, _ v: Verdict, expected: Expectation = .holds) -> VerdictRow {
        VerdictRow(
            claim: claim, outcome: v.outcome.rawValue, expected: expected.rawValue, statistic: v.statistic,
            pValue: v.pValue, alpha: v.alpha, n: v.n,
            detail: v.details
                + (v.alpha == 0
                    ? String(format: " Exact check (α = 0): fails beyond %.3g (%@).", v.detectableEffect, v.effectUnit)
                    : v.detectableEffect.isFinite
                        ? String(format: " Detects %.3g %@ at power 0.95.", v.detectableEffect, v.effectUnit) : ""))
    }

    /// A report row from a catalog claim's result.
    static func row(_ r: ClaimResult) -> VerdictRow {
        var v = row(r.id, r.verdict, expected: r.expectation)
        v.outcome = r.verdict.outcome.rawValue
        return v
    }

    static func num(_ x: Double) -> Cell { .number(x) }
    static func num(_ x: Int) -> Cell { .number(Double(x)) }
    static func text(_ s: String) -> Cell { .text(s) }

    /// Seconds since `start` (a `DispatchTime` uptime in ns).
    static func seconds(since start: UInt64) -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
    static var now: UInt64 { DispatchTime.now().uptimeNanoseconds }

    static func f(_ x: Double, _ digits: Int = 4) -> String { String(format: "%.\(digits)g", x) }

    /// Throws when two estimators share a label (a registered estimator named like a built-in one): the
    /// reports key their rows by label.
    static func requireDistinctLabels(_ labels: [String], at notebook: String) throws {
        var seen = Set<String>()
        for l in labels where !seen.insert(l).inserted {
            throw ZOError(
                "two estimators are labelled \"\(l)\"", at: notebook,
                fix: "give the registered estimator (LabelledEstimator) a label of its own")
        }
    }
}
