import Testing
import ZOClaims
import ZOCore
import ZOFineTuning
import ZOModel
import ZOStats
import ZOTestSupport

/// The scale claims (Sources/ZOFineTuning/Scale/ScaleClaims.swift) at the CI seed, and their behaviour without
/// assets. Serialized: each check runs many forward passes of the real model on the two cores.
@Suite(.serialized) struct ScaleClaimsTests {
    static let seed = ZODefaults.seed

    @Test(
        .enabled(
            if: ScaleClaims.assetsAvailable, "assets not found in the cache; run `make assets` (or set ZOCHECK_CACHE)"),
        arguments: ScaleClaims.all.map(\.id))
    func scaleClaimVerdictAgrees(id: String) throws {
        let claim = try #require(Catalog(unchecked: ScaleClaims.all).claim(id: id))
        let result = Catalog.run(claim, context: ClaimContext(seed: ScaleClaimsTests.seed))
        #expect(
            result.agrees,
            "\(id) (expected \(claim.expectation.rawValue)), seed \(ScaleClaimsTests.seed): \(result.verdict)")
    }

    /// Every scale claim is in the catalog under the `scale` source, points at Proofs/scale.md, and
    /// the statistical ones run at α = 1e-5.
    @Test func scaleClaimsAreCatalogued() {
        let ids = Set(Catalog(unchecked: ScaleClaims.all).select(sources: [.scale]).map(\.id))
        #expect(ids == ScaleClaims.ids)
        for claim in ScaleClaims.all {
            #expect(claim.proof.hasPrefix("Proofs/scale.md#"), "\(claim.id): \(claim.proof)")
            #expect(claim.alpha == 0 || claim.alpha == 1e-5, "\(claim.id): α = \(claim.alpha)")
        }
        #expect(ScaleClaims.all.filter(\.isExact).map(\.id) == ["SCALE-GRADIENT-LOW-STABLE-RANK"])
    }

    /// Without assets a scale check is inconclusive and says how to get them.
    @Test func missingAssetsVerdictIsInconclusive() {
        let v = ScaleClaims.missingAssetsVerdict("SCALE-MEZO-MOMENTS", alpha: 1e-5)
        #expect(v.outcome == .inconclusive)
        #expect(v.details.contains("run `make assets`"), "\(v.details)")
        #expect(v.alpha == 1e-5)
    }

    /// The band test: a mean well inside ±0.1 passes, one significantly outside fails, and a design too
    /// noisy to resolve 0.1 is inconclusive. Values are fixed (no randomness).
    @Test func withinBandDecides() {
        let inside = (0..<40).map { 0.002 * Double($0 % 5) - 0.004 }
        #expect(ScaleClaims.bandVerdict(inside, alpha: 1e-5).outcome == .pass)
        let above = (0..<40).map { 0.3 + 0.002 * Double($0 % 5) }
        #expect(ScaleClaims.bandVerdict(above, alpha: 1e-5).outcome == .fail)
        let below = above.map { -$0 }
        #expect(ScaleClaims.bandVerdict(below, alpha: 1e-5).outcome == .fail)
        let noisy = (0..<10).map { $0 % 2 == 0 ? 1.0 : -1.0 }
        #expect(ScaleClaims.bandVerdict(noisy, alpha: 1e-5).outcome == .inconclusive)
    }

    /// The planted scale faults are caught at scale by the law part of the moment claims (the forward part
    /// alone, a difference with the same Z, cancels them): dropped ½ (ĝ ×2) by SCALE-MEZO-MOMENTS and
    /// SCALE-SPARSE-MOMENTS, LOZO's 1/r² by SCALE-LOZO-SECOND-MOMENT; CI seed, α = 1e-5.
    @Test(
        .enabled(
            if: ScaleClaims.assetsAvailable, "assets not found in the cache; run `make assets` (or set ZOCHECK_CACHE)"),
        arguments: PlantedFault.allCases.filter { !$0.caughtAtScaleBy.isEmpty })
    func scaleFaultIsCaught(fault: PlantedFault) throws {
        for id in fault.caughtAtScaleBy {
            let claim = try #require(Catalog(unchecked: ScaleClaims.all).claim(id: id))
            let result = Catalog.run(claim, context: ClaimContext(seed: ScaleClaimsTests.seed, fault: fault))
            #expect(
                result.verdict.outcome == .fail,
                "\(fault.rawValue) not caught by \(id), seed \(ScaleClaimsTests.seed): \(result.verdict)")
            #expect(result.verdict.details.contains("planted gradient scale"), "\(result.verdict.details)")
        }
    }

    /// The law part tests E x = 1 two-sided: values centred at 1 pass, at 4 (a dropped ½) fail.
    @Test func lawPartDecides() {
        let right = (0..<400).map { 1 + 0.5 * Double($0 % 5 - 2) }
        #expect(ScaleClaims.lawMean(right, alpha: 1e-5, name: "law").outcome == .pass)
        #expect(ScaleClaims.lawMean(right.map { 4 * $0 }, alpha: 1e-5, name: "law").outcome == .fail)
    }
}
