import Testing
import ZOCore

/// The element kernels of Sources/ZOCore/Perturbation.swift (`ScalarKernels`): the Float and Double
/// fast paths compute exactly what the plain loops compute, bit for bit.
@Suite struct PerturbationTests {
    @Test func axpyIsTheElementwiseLoop() {
        let x = RandomFill.gaussian(Float.self, count: 1031, key: PRNGKey(seed: 41))
        let y0 = RandomFill.gaussian(Float.self, count: 1031, key: PRNGKey(seed: 42))
        var y = y0
        x.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { ScalarKernels.axpy(Float(-0.3), xp, $0) } }
        #expect(y == zip(y0, x).map { $0 + Float(-0.3) * $1 }, "seed 41/42")
        let xd = x.map(Double.init), yd0 = y0.map(Double.init)
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
        let z: any Perturbation = try GaussianRGE().perturbation(step: 1, key: PRNGKey(seed: 44), parameters: Parameters<Float>(zeros: layout),
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
}
