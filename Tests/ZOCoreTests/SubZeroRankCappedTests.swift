import Testing
import ZOCore

/// SubZeroRankCapped (Sources/ZOCore/Perturbations/SubZeroRankCapped.swift): per-tensor rank min(r, m, n), the same
/// numbers as SubZero at that rank, and SubZero's single-matrix moments.
@Suite struct SubZeroRankCappedTests {
    /// A thin 2×7 matrix, a 6×5 matrix and a vector; r = 4 caps the thin one at 2.
    static func layout() throws -> ParameterLayout {
        try ParameterLayout([("thin", [2, 7]), ("W", [6, 5]), ("b", [5])])
    }

    @Test func ranksAreCappedPerTensor() throws {
        let layout = try Self.layout()
        let theta = Parameters<Double>(zeros: layout)
        let capped = try SubZeroRankCapped(rank: 4, refreshInterval: 3)
        #expect(layout.tensors.map { capped.rank(of: $0) } == [2, 4, nil])
        // Plain SubZero refuses the layout; the capped one accepts it.
        #expect(throws: ZOError.self) { try SubZero(rank: 4).validate(layout) }
        try capped.validate(layout)
        let z = try capped.perturbation(step: 5, key: PRNGKey(seed: 31), parameters: theta, use: .measurement)
        #expect(z.ranks == [2, 4, 4])
        for t in 0..<2 {
            let f = try #require(z.lowRankFactors(tensor: t), "tensor \(t), seed 31")
            let zt: [Double] = z.materialize(tensor: t)
            let spec = layout.tensors[t]
            #expect(f.rank == [2, 4][t])
            #expect(
                try LinearAlgebra.numericalRank(zt, rows: spec.rows, cols: spec.cols) == [2, 4][t],
                "tensor \(t), seed 31")
        }
        #expect(z.lowRankFactors(tensor: 2) == nil)
    }

    /// Tensor t's numbers are exactly SubZero(rank: r_t)'s under the same key and step (bit for bit),
    /// in both scalars, and fused application equals the materialised one.
    @Test func tensorsMatchSubZeroAtTheirRank() throws {
        let layout = try Self.layout()
        let theta = Parameters<Float>(zeros: layout)
        let key = PRNGKey(seed: 32)
        for scaling in [SubZero.Scaling.reference, .unbiased] {
            let z = try SubZeroRankCapped(rank: 4, refreshInterval: 2, scaling: scaling)
                .perturbation(step: 3, key: key, parameters: theta, use: .measurement)
            for (t, r) in [(0, 2), (1, 4), (2, 4)] {
                let reference = try SubZero(rank: r, refreshInterval: 2, scaling: scaling)
                    .perturbation(step: 3, key: key, parameters: theta, use: .measurement)
                let a: [Float] = z.materialize(tensor: t)
                let b: [Float] = reference.materialize(tensor: t)
                let ad: [Double] = z.materialize(tensor: t)
                let bd: [Double] = reference.materialize(tensor: t)
                #expect(a == b && ad == bd, "\(scaling) tensor \(t), seed 32")
                #expect(z.gradientScale(tensor: t) == reference.gradientScale(tensor: t))
                var fused = [Float](repeating: 0.5, count: layout.tensors[t].count)
                fused.withUnsafeMutableBufferPointer { z.addScaled(-0.25, tensor: t, to: $0) }
                #expect(fused == a.map { 0.5 + Float(-0.25) * $0 }, "\(scaling) tensor \(t), seed 32")
            }
        }
    }

    /// A single matrix has SubZero's exact moments at its capped rank; several tensors have the
    /// MULTI-TENSOR-MOMENTS sum of SubZero's per-tensor terms at each r_t (and plain SubZero none where
    /// r > min(m, n)).
    @Test func exactMomentsAtTheCappedRank() throws {
        let thin = try ParameterLayout.matrix(rows: 3, cols: 8)
        let g = RandomFill.gaussian(Double.self, count: 24, key: PRNGKey(seed: 33))
        let capped = try SubZeroRankCapped(rank: 5).exactMoments(gradient: g, at: Parameters<Double>(zeros: thin))
        let plain = try SubZero(rank: 3).exactMoments(gradient: g, at: Parameters<Double>(zeros: thin))
        #expect(capped != nil && capped == plain)
        let layout = try Self.layout()
        let ones = [Double](repeating: 1, count: layout.count)
        let several = try SubZeroRankCapped(rank: 4).exactMoments(gradient: ones, at: Parameters<Double>(zeros: layout))
        // d‖g‖² + 2‖g_vec‖² + Σ_mat (2mn/r_t²)‖G_t‖² with ‖G_t‖² = mn: 49·49 + 2·5 + 2·14·14/4 + 2·30·30/16.
        let expected: Double = 2401 + 10 + 98 + 112.5
        #expect(
            several.map { abs($0.secondMoment - expected) <= 1e-12 * expected } == true,
            "\(String(describing: several))")
        #expect(try SubZero(rank: 4).exactMoments(gradient: ones, at: Parameters<Double>(zeros: layout)) == nil)
    }

    @Test func badArgumentsThrow() {
        #expect(throws: ZOError.self) { _ = try SubZeroRankCapped(rank: 0) }
        #expect(throws: ZOError.self) { _ = try SubZeroRankCapped(rank: 2, refreshInterval: 0) }
    }
}
