import Testing
import ZOCore
import ZOProblems

@Suite struct SyntheticProblemEffectiveRankTests {
    @Test func effectiveRankIsTraceOverNorm() throws {
        let ls = try LeastSquares<Double>(dimension: 4, spectrum: .custom([4, 2, 1, 1]), key: PRNGKey(seed: 1))
        #expect(ls.hessianEffectiveRank == 2)
        // Kronecker: (Σσ_A²)(Σσ_B²) / (σ_A,max² σ_B,max²) = (4 + 1)(1 + 1)/4.
        let q = try LowRankMatrixQuadratic<Double>(
            m: 4, n: 3, p: 4, q: 3, rankA: 2, rankB: 2,
            singularValuesA: [2, 1], singularValuesB: [1, 1], key: PRNGKey(seed: 2))
        #expect(try #require(q.hessianEffectiveRank) == 2.5)
        let cosine = try CosineSum<Double>(dimension: 3, key: PRNGKey(seed: 3))
        #expect(cosine.hessianEffectiveRank == nil)
    }
}
