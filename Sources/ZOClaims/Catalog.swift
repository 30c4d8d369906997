import Foundation
import ZOCore
import ZOStats

/// A claim catalog: claims with unique ids, filters and a runner.
///
/// `Catalog.synthetic` holds every claim checked on synthetic problems (this module's source files);
/// the transformer-scale claims live with the model in `ZOFineTuning`, and the umbrella module
/// `ZOCheck` joins both as `Catalog.standard`. A researcher's catalog is any list of claims
/// (`Catalog(Catalog.standard.claims + mine)`).
public struct Catalog: Sendable {
    public let claims: [Claim]

    /// A catalog of `claims`; a repeated id is an error that names it.
    public init(_ claims: [Claim]) throws(ZOError) {
        var seen = Set<String>()
        for claim in claims where !seen.insert(claim.id).inserted {
            throw ZOError("claim id '\(claim.id)' appears twice", at: "Catalog", fix: "give every claim a unique id")
        }
        self.claims = claims
    }

    package init(unchecked claims: [Claim]) { self.claims = claims }

    /// The claims checked on synthetic problems, source by source.
    public static let synthetic = Catalog(
        unchecked:
            MeZOClaims.all + LOZOClaims.all + SubZeroClaims.all + SparseMeZOClaims.all + ClassicalClaims.all
            + PitfallClaims.all)

    public var ids: [String] { claims.map(\.id) }

    public func claim(id: String) -> Claim? { claims.first { $0.id == id } }

    /// Claims whose id or source matches any filter (case-insensitive substring of the id, or the paper's name).
    public func select(ids: [String] = [], sources: [ClaimSource.Paper] = []) -> [Claim] {
        claims.filter { claim in
            (ids.isEmpty || ids.contains { claim.id.lowercased().contains($0.lowercased()) })
                && (sources.isEmpty || sources.contains(claim.source.paper))
        }
    }

    /// Σα of the statistical claims that hold: the false-fail budget of a run at their CI α (by the union
    /// bound, the chance that any holding claim fails by bad luck). Refuted claims are not in it: their α
    /// is the chance of refuting a claim that in fact holds, and their risk of not failing is 1 − power
    /// (`Audit.power`, `zocheck audit --power`). Proofs/statistics.md#false-fail-budget.
    public var falseFailBudget: Double {
        claims.filter { $0.expectation == .holds }.reduce(0) { $0 + $1.alpha }
    }

    /// The same budget for a run's results (`ClaimResult.verdict.alpha` of the holding claims).
    public static func falseFailBudget(_ results: [ClaimResult]) -> Double {
        results.filter { $0.expectation == .holds }.reduce(0) { $0 + $1.verdict.alpha }
    }

    /// One line a statistician can sign: the false-fail budget of the holding claims, and what the
    /// refuted ones risk instead.
    public static func accounting(_ results: [ClaimResult]) -> String {
        let refuted = results.filter { $0.expectation == .refuted }
        let stochasticRefuted = refuted.filter { $0.verdict.alpha > 0 }
        return """
            false-fail budget Σα over the \(results.count - refuted.count) holding claims = \
            \(String(format: "%.2e", falseFailBudget(results))) (the chance that any of them fails by bad luck); \
            \(refuted.count) refuted claims (\(stochasticRefuted.count) statistical) fail with probability = their \
            power, measured by `zocheck audit --power`
            """
    }

    /// Runs one claim; a thrown error becomes an inconclusive verdict that names it.
    public static func run(_ claim: Claim, context: ClaimContext) -> ClaimResult {
        let start = DispatchTime.now().uptimeNanoseconds
        let verdict: Verdict
        do {
            verdict = try claim.check(context)
        } catch {
            verdict = Verdict(
                check: claim.id, statistic: .nan, pValue: .nan, n: 0, alpha: context.alpha(claim.alpha),
                detectableEffect: .infinity, outcome: .inconclusive, details: "check raised: \(error)")
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
        return ClaimResult(
            id: claim.id, source: claim.source, statement: claim.statement, proof: claim.proof,
            expectation: claim.expectation, verdict: verdict, seed: context.seed, seconds: seconds)
    }
}
