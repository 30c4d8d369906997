import Foundation
import ZOStats

/// The claim catalog: every claim of every source file, and a runner.
public enum Catalog {
    public static var all: [Claim] {
        MeZOClaims.all + LOZOClaims.all + SubZeroClaims.all + SparseMeZOClaims.all + ClassicalClaims.all + PitfallClaims.all
            + ScaleClaims.all
    }

    public static func claim(id: String) -> Claim? { all.first { $0.id == id } }

    /// Claims whose id or source matches any filter (case-insensitive substring of the id, or the paper's name).
    public static func select(ids: [String] = [], sources: [ClaimSource.Paper] = []) -> [Claim] {
        all.filter { claim in
            (ids.isEmpty || ids.contains { claim.id.lowercased().contains($0.lowercased()) })
                && (sources.isEmpty || sources.contains(claim.source.paper))
        }
    }

    /// Runs one claim; a thrown error becomes an inconclusive verdict that names it.
    public static func run(_ claim: Claim, context: ClaimContext) -> ClaimResult {
        let start = DispatchTime.now().uptimeNanoseconds
        let verdict: Verdict
        do {
            verdict = try claim.check(context)
        } catch {
            verdict = Verdict(check: claim.id, statistic: .nan, pValue: .nan, n: 0, alpha: context.alpha(claim.alpha),
                              detectableEffect: .infinity, outcome: .inconclusive, details: "check raised: \(error)")
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
        return ClaimResult(id: claim.id, source: claim.source, statement: claim.statement, proof: claim.proof,
                           expectation: claim.expectation, verdict: verdict, seed: context.seed, seconds: seconds)
    }

    /// Σα of the statistical claims (the false-fail budget of a run at their CI α).
    public static var falseFailBudget: Double { all.reduce(0) { $0 + $1.alpha } }
}
