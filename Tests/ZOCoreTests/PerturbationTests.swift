import Testing
import ZOCore

/// The element kernels of Sources/ZOCore/Perturbations/Perturbation.swift (`ScalarKernels`): the Float and Double
/// fast paths compute exactly what the plain loops compute, bit for bit.
@Suite struct PerturbationTests {
    @Test func axpyIsTheElementwiseLoop() {
        let x = RandomFill.gaussian(Float.self, count: 1031, key: PRNGKey(seed: 41))
        let y0 = RandomFill.gaussian(Float.self, count: 1031, key: PRNGKey(seed: 42))
        var y = y0
        x.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { ScalarKernels.axpy(Float(-0.3), xp, $0) } }
        #expect(y == zip(y0, x).map { $0 + Float(-0.3) * $1 }, "seed 41/42")
        let xd = x.map(Double.init)
        let yd0 = y0.map(Double.init)
        var yd = yd0
        xd.withUnsafeBufferPointer { xp in yd.withUnsafeMutableBufferPointer { ScalarKernels.axpy(0.7, xp, $0) } }
        #expect(yd == zip(yd0, xd).map { $0 + 0.7 * $1 }, "seed 41/42")
    }

    /// zeroUnset keeps exactly the entries whose bit is set (64 per word, least significant first),
    /// including a partial last word.
    @Test func zeroUnsetFollowsTheBits() {
        let n = 200
        let bits: [UInt64] = [0xFFFF_FFFF_FFFF_FFFF, 0x8000_0000_0000_0001, 0, 0x0F]
        let values = RandomFill.gaussian(Float.self, count: n, key: PRNGKey(seed: 43))
        var v = values
        v.withUnsafeMutableBufferPointer { ScalarKernels.zeroUnset($0, bits: bits) }
        let expected = values.indices.map { i in (bits[i >> 6] >> UInt64(i & 63)) & 1 == 1 ? values[i] : 0 }
        #expect(v == expected, "seed 43")
        var d = values.map(Double.init)
        d.withUnsafeMutableBufferPointer { ScalarKernels.zeroUnset($0, bits: bits) }
        #expect(d == expected.map(Double.init))
    }

    /// The streamed Gaussian addition through an existential (`any Perturbation`, the unspecialised
    /// route the transformer takes) equals fill-then-add, for Float and Double.
    @Test func addScaledGaussianThroughAnExistential() throws {
        let layout = try ParameterLayout([("v", [9000])])
        let z: any Perturbation = try GaussianRGE().perturbation(
            step: 1, key: PRNGKey(seed: 44), parameters: Parameters<Float>(zeros: layout),
            use: .measurement)
        var w = [Float](repeating: 0.25, count: 9000)
        w.withUnsafeMutableBufferPointer { z.addScaled(1e-3, tensor: 0, to: $0) }
        let zt: [Float] = z.materialize(tensor: 0)
        #expect(w == zt.map { 0.25 + Float(1e-3) * $0 }, "seed 44")
        var wd = [Double](repeating: 0.25, count: 9000)
        wd.withUnsafeMutableBufferPointer { z.addScaled(1e-3, tensor: 0, to: $0) }
        let zd: [Double] = z.materialize(tensor: 0)
        #expect(wd == zd.map { 0.25 + 1e-3 * $0 }, "seed 44")
    }

    /// w + α·U Vᵀ from `addScaledProduct` (the vectorised r ≤ 2 path and the general one) is the
    /// serial expression w_ij + T(α)·T(Σ_k u_ik v_jk) (sum from 0 in k order) bit for bit.
    @Test(arguments: [1, 2, 3])
    func addScaledProductIsTheSerialExpression(rank r: Int) {
        let (m, n) = (37, 301)
        let u = RandomFill.gaussian(Double.self, count: m * r, key: PRNGKey(seed: 61))
        let v = RandomFill.gaussian(Double.self, count: n * r, key: PRNGKey(seed: 62))
        let f = LowRankFactors(rows: m, cols: n, rank: r, u: u, v: v)
        let w0 = RandomFill.gaussian(Float.self, count: m * n, key: PRNGKey(seed: 63))
        var w = w0
        w.withUnsafeMutableBufferPointer { f.addScaledProduct(-0.37, to: $0) }
        var expected = w0
        for i in 0..<m {
            for j in 0..<n {
                var s = 0.0
                for k in 0..<r { s += u[i * r + k] * v[j * r + k] }
                expected[i * n + j] += Float(-0.37) * Float(s)
            }
        }
        #expect(w == expected, "rank \(r), seeds 61-63")
        var wd = w0.map(Double.init)
        wd.withUnsafeMutableBufferPointer { f.addScaledProduct(0.5, to: $0) }
        #expect(
            wd
                == (0..<(m * n)).map {
                    Double(w0[$0]) + 0.5
                        * zip(u[($0 / n) * r..<($0 / n) * r + r], v[($0 % n) * r..<($0 % n) * r + r]).reduce(0.0) {
                            $0 + $1.0 * $1.1
                        }
                })
    }

    /// The low-rank protocol's default `fill`, reached through `any Perturbation`: matrices are
    /// T(Σ_k u_ik v_jk) of the sample's own factors (LOZO, SubZero, the faithful LOZO), vectors the dense
    /// draw (keyed Gaussian; the faithful LOZO's slice of its step stream), for Float and Double.
    @Test func lowRankFillIsTheFactorProduct() throws {
        let layout = try ParameterLayout([("W", [9, 7]), ("b", [7]), ("V", [5, 9])])
        let theta = Parameters<Double>(zeros: layout)
        let samples: [any Perturbation] = [
            try LOZO(rank: 2).perturbation(step: 3, key: PRNGKey(seed: 71), parameters: theta, use: .measurement),
            try SubZero(rank: 3, refreshInterval: 2).perturbation(
                step: 3, key: PRNGKey(seed: 72), parameters: theta, use: .measurement),
            try LOZOReferenceFaithful(rank: 2, lazyInterval: 3).perturbation(
                step: 3, key: PRNGKey(seed: 73), parameters: theta, use: .measurement),
        ]
        for z in samples {
            let f: [Float] = z.materialize()
            let d: [Double] = z.materialize()
            for (t, spec) in layout.tensors.enumerated() {
                if let factors = z.lowRankFactors(tensor: t) {
                    let p = factors.product()
                    #expect(Array(f[spec.range]) == p.map { Float($0) }, "\(type(of: z)) tensor \(t), seeds 71-73")
                    #expect(Array(d[spec.range]) == p, "\(type(of: z)) tensor \(t)")
                } else {
                    #expect(spec.kind == .vector)
                    let dense: [Double] = z.materialize(tensor: t)
                    #expect(Array(d[spec.range]) == dense && dense.contains { $0 != 0 }, "\(type(of: z)) tensor \(t)")
                }
            }
        }
        // GaussianRGE and LOZO share the vector's keyed draw (role .dense, step, tensor).
        let lozoB: [Float] = try LOZO(rank: 2).perturbation(
            step: 3, key: PRNGKey(seed: 71), parameters: theta, use: .measurement
        ).materialize(tensor: 1)
        let mezoB: [Float] = try GaussianRGE().perturbation(
            step: 3, key: PRNGKey(seed: 71), parameters: theta, use: .measurement
        ).materialize(tensor: 1)
        #expect(lozoB == mezoB)
    }

    /// The low-rank protocol's default `validate`: 1 ≤ r ≤ min(m, n) for every matrix, the method named.
    @Test func lowRankValidateNamesTheMethod() throws {
        let layout = try ParameterLayout([("W", [9, 7]), ("thin", [2, 9])])
        for (d, method) in [
            (try LOZO(rank: 3) as any PerturbationDistribution, "LOZO"), (try SubZero(rank: 3), "SubZero"),
            (try LOZOReferenceFaithful(rank: 3, lazyInterval: 2), "LOZOReferenceFaithful"),
        ] {
            do {
                try d.validate(layout)
                Issue.record("\(method) accepted r = 3 on a 2×9 matrix")
            } catch {
                #expect(error.description.contains("\(method) rank r = 3 exceeds min(m, n) = 2"), "\(error)")
            }
            try d.validate(ParameterLayout([("W", [9, 7]), ("b", [2])]))
        }
    }
}
