import Foundation
import Testing
import ZOStats

// Swift Testing for verdicts: a researcher's regression tests state which outcome a check must have,
// and a mismatch is recorded with everything needed to reproduce it — the verdict's full text, the
// seed, and one command line that reruns this test with that seed.

/// Seeds of seeded statistical tests, overridable from the environment.
public enum VerdictSeed {
    /// `ZOCHECK_SEED=<n> swift test --filter …` reruns a test with the seed a failure printed.
    public static let environmentVariable = "ZOCHECK_SEED"

    /// `$ZOCHECK_SEED` when it is set to an unsigned integer, else `fallback`. A value that does not
    /// parse is reported as a test issue (a typo must not silently rerun the default seed).
    public static func resolve(
        _ fallback: UInt64, environment: [String: String] = ProcessInfo.processInfo.environment,
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> UInt64 {
        guard let text = environment[environmentVariable], !text.isEmpty else { return fallback }
        guard let seed = UInt64(text.trimmingCharacters(in: .whitespaces)) else {
            Issue.record(
                "\(environmentVariable)=\(text) is not an unsigned integer; using the default seed \(fallback)",
                sourceLocation: sourceLocation)
            return fallback
        }
        return seed
    }
}

/// A suite's false-fail budget: the chance that any of `checks` verdicts of holding claims fails by
/// bad luck is at most `total` when each runs at `perCheck` = total/checks (Bonferroni: the union
/// bound, valid under any dependence between the checks).
public struct VerdictBudget: Sendable, Equatable {
    public let total: Double
    public let checks: Int

    public init(total: Double = 1e-3, checks: Int) throws {
        guard total > 0, total < 1, checks >= 1 else {
            throw StatsError("a verdict budget needs 0 < total < 1 and ≥ 1 check (got \(total), \(checks))")
        }
        self.total = total
        self.checks = checks
    }

    /// α for each check.
    public var perCheck: Double { total / Double(checks) }
}

/// The one-line command that reruns the current Swift Testing test with `seed`
/// (`ZOCHECK_SEED=<seed> swift test --filter '<Suite>/<test>'`).
public func reproduceCommand(seed: UInt64) -> String {
    "\(VerdictSeed.environmentVariable)=\(seed) swift test --filter '\(currentTestFilter())'"
}

/// A `--filter` pattern for the running test: its id without the module, argument list or parentheses.
func currentTestFilter() -> String {
    guard let test = Test.current else { return "<test>" }
    var components = test.id.nameComponents
    if let last = components.last, let paren = last.firstIndex(of: "(") {
        components[components.count - 1] = String(last[..<paren])
    }
    return components.joined(separator: "/")
}

/// Expects `verdict` to have the outcome `expected` (`.pass` for a claim that holds, `.fail` for a
/// planted fault or a refuted claim). On a mismatch, records an issue holding the verdict's full
/// text, the seed and the reproduce command; returns whether the outcome matched.
@discardableResult
public func expectVerdict(
    _ verdict: Verdict, _ expected: Outcome = .pass, seed: UInt64, _ comment: Comment? = nil,
    sourceLocation: SourceLocation = #_sourceLocation
) -> Bool {
    guard verdict.outcome != expected else { return true }
    var text = "expected \(expected.rawValue.uppercased()), got \(verdict)"
    text += "\nseed \(seed); rerun with: \(reproduceCommand(seed: seed))"
    if let comment { text = "\(comment.rawValue)\n" + text }
    Issue.record(Comment(rawValue: text), sourceLocation: sourceLocation)
    return false
}
