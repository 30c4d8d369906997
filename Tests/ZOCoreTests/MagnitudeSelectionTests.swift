import Testing
import ZOCore

/// Radix selection of |x| on Float bits (Sources/ZOCore/Perturbations/MagnitudeSelection.swift) against
/// quickselect in Double, and Sparse MeZO's Float mask against its Double path; the range form of
/// `addScaled` against the whole-tensor one. Proofs/performance.md §Sparse MeZO's mask.
@Suite struct MagnitudeSelectionTests {
    /// Values with ties, signed zeros, subnormals and both signs of equal magnitudes.
    func values(_ n: Int, seed: UInt64) -> [Float] {
        var x = RandomFill.gaussian(Float.self, count: n, key: PRNGKey(seed: seed))
        for i in stride(from: 0, to: n, by: 7) { x[i] = x[(i * 3) % n] }  // ties
        for i in stride(from: 3, to: n, by: 11) { x[i] = -x[i - 1] }  // ±v
        for i in stride(from: 5, to: n, by: 13) { x[i] = i % 2 == 0 ? 0 : -0.0 }  // signed zeros
        if n > 1 { x[1] = Float.leastNonzeroMagnitude }
        return x
    }

    @Test(arguments: [1, 2, 64, 1000, 70_001])
    func kthSmallestMagnitudeIsQuickselect(n: Int) {
        let x = values(n, seed: 71 + UInt64(n))
        for k in Set([0, n / 5, n / 2, n - 1]) {
            var mags = x.map { abs(Double($0)) }
            let expected = Selection.kthSmallest(&mags, k)
            let (h, below) = x.withUnsafeBufferPointer { MagnitudeSelection.kthSmallestMagnitude($0, k) }
            #expect(Double(h) == expected, "n \(n), k \(k)")
            #expect(below == x.filter { abs(Double($0)) < expected }.count, "n \(n), k \(k)")
        }
    }

    /// The Float mask (radix) equals the mask of the same values held as Double (quickselect path).
    @Test func floatMaskEqualsDoubleMask() throws {
        let layout = try ParameterLayout([("a", [300, 7]), ("b", [70_001]), ("c", [5])])
        var p = Parameters<Float>(zeros: layout)
        for t in layout.tensors.indices {
            let v = values(layout.tensors[t].count, seed: 80 + UInt64(t))
            p.withTensor(t) { w in for i in w.indices { w[i] = v[i] } }
        }
        let d = try Parameters<Double>(layout: layout, values: p.values.map(Double.init))
        for s in [0.0, 0.5, 0.8, 0.99] {
            let mf = SparseMeZO.mask(for: p, sparsity: s)
            let md = SparseMeZO.mask(for: d, sparsity: s)
            #expect(mf == md, "sparsity \(s)")
            #expect(mf.kept.reduce(0, +) > 0)
        }
    }

    /// Many entries in the threshold's bucket (10,000 magnitudes 1 + j·2⁻²³, shuffled, with ties):
    /// the candidates' histogram path (> 4096 of them) agrees with the quickselect path too.
    @Test func crowdedBucketMaskEqualsDoubleMask() throws {
        let layout = try ParameterLayout([("w", [100, 100]), ("v", [3000])])
        var p = Parameters<Float>(zeros: layout)
        p.withTensor(0) { w in
            for i in w.indices {
                w[i] = (i % 2 == 0 ? 1 : -1) * Float(bitPattern: 0x3F80_0000 + UInt32((i * 7919) % 10_000 / 2))
            }
        }
        p.withTensor(1) { w in for i in w.indices { w[i] = Float(i % 50) * 0.01 } }
        let d = try Parameters<Double>(layout: layout, values: p.values.map(Double.init))
        for s in [0.1, 0.5, 0.93] {
            #expect(SparseMeZO.mask(for: p, sparsity: s) == SparseMeZO.mask(for: d, sparsity: s), "sparsity \(s)")
        }
    }

    /// addScaled over a range adds exactly the whole-tensor addScaled restricted to it (dense,
    /// sparse and the materialising default), for aligned and unaligned ranges.
    @Test func rangeAddScaledIsTheWholeTensorsSlice() throws {
        let layout = try ParameterLayout([("w", [97, 64]), ("b", [50])])
        var theta = Parameters<Float>(zeros: layout)
        theta.withTensor(0) { w in for i in w.indices { w[i] = Float(i % 37) * 0.01 - 0.2 } }
        let key = PRNGKey(seed: 90)
        let samples: [any Perturbation] = [
            try GaussianRGE().perturbation(step: 1, key: key, parameters: theta, use: .measurement),
            try SparseMeZO(sparsity: 0.7).perturbation(step: 1, key: key, parameters: theta, use: .measurement),
            try LOZO(rank: 2).perturbation(step: 1, key: key, parameters: theta, use: .measurement),
        ]
        for (j, z) in samples.enumerated() {
            for t in 0..<2 {
                var whole = [Float](repeating: 0.25, count: layout.tensors[t].count)
                whole.withUnsafeMutableBufferPointer { z.addScaled(-0.3, tensor: t, to: $0) }
                for range in [0..<whole.count, 64..<192, 5..<300, 17..<18].filter({ $0.upperBound <= whole.count }) {
                    var part = [Float](repeating: 0.25, count: range.count)
                    part.withUnsafeMutableBufferPointer { z.addScaled(-0.3, tensor: t, elements: range, to: $0) }
                    #expect(part == Array(whole[range]), "sample \(j), tensor \(t), range \(range)")
                }
                #expect(whole.contains { $0 != 0.25 })
                // Exactly w + T(α)·z for the z that `fill` produces (the contract of addScaled).
                let zt: [Float] = z.materialize(tensor: t)
                #expect(whole == zt.map { 0.25 + Float(-0.3) * $0 }, "sample \(j), tensor \(t)")
            }
        }
    }
}
