import Testing
import ZOClaims
import ZOCore
import ZOStats

/// Every claim of the catalog at its fixed CI seed: the verdict must agree with the expectation
/// (a claim that holds passes; a refuted claim or planted bug is flagged). The seed is printed on failure.
@Suite struct ClaimTests {
    static let seed = ZODefaults.seed

    /// The scale claims need the downloaded assets; they run in `ScaleClaimsTests` (skipped without them).
    @Test(arguments: Catalog.synthetic.ids)
    func claimVerdictAgrees(id: String) throws {
        let claim = try #require(Catalog.synthetic.claim(id: id))
        let result = Catalog.run(claim, context: ClaimContext(seed: Self.seed))
        #expect(result.agrees, "\(id) (expected \(claim.expectation.rawValue)), seed \(Self.seed): \(result.verdict)")
    }
}

/// Each planted fault is caught at the CI seed by every claim that must catch it (the measured power
/// over 200 seeds is reported by `zocheck audit --power`).
@Suite struct PlantedFaultTests {
    @Test(arguments: PlantedFault.allCases)
    func faultIsCaught(fault: PlantedFault) throws {
        for id in fault.caughtBy {
            let claim = try #require(Catalog.synthetic.claim(id: id))
            let result = Catalog.run(claim, context: ClaimContext(seed: ClaimTests.seed, fault: fault))
            #expect(
                result.verdict.outcome == .fail,
                "\(fault.rawValue) not caught by \(id), seed \(ClaimTests.seed): \(result.verdict)")
        }
    }

    /// The catalog is well formed: unique ids, a Proofs/ anchor each, α within the CI budget.
    @Test func catalogIsWellFormed() {
        let ids = Catalog.synthetic.claims.map(\.id)
        #expect(Set(ids).count == ids.count, "duplicate claim ids")
        #expect(Catalog.synthetic.claims.allSatisfy { $0.proof.hasPrefix("Proofs/") && $0.proof.contains("#") })
        #expect(
            Catalog.synthetic.falseFailBudget <= 1e-3,
            "Σα = \(Catalog.synthetic.falseFailBudget) exceeds the CI budget 1e-3")
        for fault in PlantedFault.allCases {
            #expect(fault.caughtBy.allSatisfy { Catalog.synthetic.claim(id: $0) != nil })
        }
    }
}
