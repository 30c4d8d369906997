import Testing
import ZOClaims
import ZOStats

/// Every claim of the catalog at its fixed CI seed: the verdict must agree with the expectation
/// (a claim that holds passes; a refuted claim or planted bug is flagged). The seed is printed on failure.
@Suite struct ClaimTests {
    static let seed: UInt64 = 20_261_122

    @Test(arguments: Catalog.all.map(\.id))
    func claimVerdictAgrees(id: String) throws {
        let claim = try #require(Catalog.claim(id: id))
        let result = Catalog.run(claim, context: ClaimContext(seed: Self.seed))
        #expect(result.agrees, "\(id) (expected \(claim.expectation.rawValue)), seed \(Self.seed): \(result.verdict)")
    }
}
