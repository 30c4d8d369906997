import Foundation
import Testing
import ZOCore
import ZOTransformer

@Suite struct GELUTests {
    func gelu(_ x: [Double]) -> [Double] {
        var a = [[Double](repeating: 0, count: x.count), x]
        return withPointers(&a) { p in GELU.forward(p[0], p[1], count: x.count) }
    }

    /// x·Φ(x) at known points (mpmath, 30 digits), to 1e-13.
    @Test func exactErfFormAtKnownPoints() {
        let x: [Double] = [-3, -1, 0, 0.5, 1, 2.5]
        let expected = [-0.0040496940948902836, -0.15865525393145705, 0, 0.34573123063700655, 0.84134474606854295, 2.4844758366855597]
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
}
