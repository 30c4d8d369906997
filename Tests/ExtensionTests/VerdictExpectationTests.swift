import Testing
import ZOCheck
import ZOCheckTesting

/// The Swift Testing integration as a researcher uses it: expected outcomes, the reproduce line of a
/// mismatch, the seed override and the α budget.
@Suite struct VerdictExpectationTests {
    static func verdict(_ outcome: Outcome) -> Verdict {
        Verdict(
            check: "mean = 0", statistic: 5.2, pValue: 2e-7, n: 100, alpha: 1e-5, detectableEffect: 0.4,
            effectUnit: "σ", outcome: outcome, details: "planted")
    }

    @Test func matchingOutcomeRecordsNothing() {
        #expect(expectVerdict(Self.verdict(.pass), seed: 3))
        #expect(expectVerdict(Self.verdict(.fail), .fail, seed: 3))
    }

    /// A mismatch is recorded with the verdict's text, the seed and a command that reruns this test.
    @Test func mismatchCarriesTheReproduceLine() {
        withKnownIssue {
            #expect(!expectVerdict(Self.verdict(.fail), seed: 7))
        } matching: { issue in
            let text = issue.comments.map(\.rawValue).joined(separator: "\n")
            return text.contains("expected PASS, got FAIL mean = 0") && text.contains("seed 7")
                && text.contains(
                    "ZOCHECK_SEED=7 swift test --filter 'VerdictExpectationTests/mismatchCarriesTheReproduceLine'")
        }
    }

    @Test func seedComesFromTheEnvironment() {
        #expect(VerdictSeed.resolve(11, environment: [:]) == 11)
        #expect(VerdictSeed.resolve(11, environment: ["ZOCHECK_SEED": "42"]) == 42)
        withKnownIssue {
            #expect(VerdictSeed.resolve(11, environment: ["ZOCHECK_SEED": "x42"]) == 11)
        }
    }

    @Test func budgetSplitsAlpha() throws {
        let budget = try VerdictBudget(total: 1e-3, checks: 4)
        #expect(budget.perCheck == 2.5e-4)
        #expect(throws: StatsError.self) { try VerdictBudget(total: 0, checks: 4) }
        #expect(throws: StatsError.self) { try VerdictBudget(total: 1e-3, checks: 0) }
    }
}
