import Foundation
import Testing
import ZOCore
import ZOModel
import ZOTestSupport

@Suite struct GELUTests {
    func gelu(_ x: [Double]) -> [Double] {
        var a = [[Double](repeating: 0, count: x.count), x]
        return withPointers(&a) { p in GELU.forward(p[0], p[1], count: x.count) }
    }

    /// x·Φ(x) at known points (mpmath, 30 digits), to 1e-13.
    @Test func exactErfFormAtKnownPoints() {
        let x: [Double] = [-3, -1, 0, 0.5, 1, 2.5]
        let expected = [
            -0.0040496940948902836, -0.15865525393145705, 0, 0.34573123063700655, 0.84134474606854295,
            2.4844758366855597,
        ]
        for (y, e) in zip(gelu(x), expected) { #expect(abs(y - e) < 1e-13) }
        // The tanh approximation differs measurably (the reason the exact form is required).
        let approx: [Double] = x.map { (v: Double) -> Double in
            let inner: Double = 0.7978845608028654 * (v + 0.044715 * v * v * v)
            return 0.5 * v * (1 + tanh(inner))
        }
        #expect(maxAbs(approx, gelu(x)) > 1e-4)
    }

    @Test func backwardMatchesFiniteDifferences() {
        let x: [Double] = randn(40, seed: 1, scale: 2)
        let r: [Double] = randn(40, seed: 2)
        var g = [[Double](repeating: 1, count: 40), r, x]
        withPointers(&g) { p in GELU.backward(dinp: p[0], dout: p[1], p[2], count: 40) }
        #expect(relativeError(g[0].map { $0 - 1 }, finiteDifferences(x) { dot(gelu($0), r) }) < 1e-6)
    }

    /// The vectorised Float backward against libm's (the naive reference, in Double) on a dense grid
    /// over [−10, 10] with a tail block (n not a multiple of 16): |Δ| ≤ 4e-7·(1 + |exact|), the
    /// error bounds of FastMath's erf (1.5e-7 absolute) and exp (2 ulp) through Φ + xφ.
    @Test func floatBackwardMatchesLibm() {
        let n = 20_003
        let x: [Float] = (0..<n).map { Float(-10 + 20 * Double($0) / Double(n - 1)) }
        let dout: [Float] = (0..<n).map { Float(1 + 0.5 * sin(Double($0))) }
        var fast = [Float](repeating: 0.25, count: n)
        x.withUnsafeBufferPointer { xp in
            dout.withUnsafeBufferPointer { dp in
                fast.withUnsafeMutableBufferPointer { fp in
                    GELU.backward(dinp: fp.baseAddress!, dout: dp.baseAddress!, xp.baseAddress!, count: n)
                }
            }
        }
        var exact = [Double](repeating: 0.25, count: n)
        let xd = x.map(Double.init)
        let dd = dout.map(Double.init)
        xd.withUnsafeBufferPointer { xp in
            dd.withUnsafeBufferPointer { dp in
                exact.withUnsafeMutableBufferPointer { ep in
                    GELU.backwardNaive(dinp: ep.baseAddress!, dout: dp.baseAddress!, xp.baseAddress!, count: n)
                }
            }
        }
        let worst = zip(fast, exact).map { abs(Double($0) - $1) / (1 + abs($1)) }.max() ?? .infinity
        #expect(worst <= 4e-7, "worst scaled error \(worst)")
    }
}
