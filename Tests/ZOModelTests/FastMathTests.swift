import Foundation
import Testing
import ZOCore
import ZOModel
import ZOTestSupport

@Suite struct FastMathTests {
    /// 200,001 points on [−10, 10] plus the branch edges, against libm in Double.
    static let grid: [Float] = {
        var g: [Float] = (0...200_000).map { (i: Int) -> Float in Float(-10 + Double(i) * 1e-4) }
        let edges: [Float] = [0.9375, -0.9375, Float(0.9375).nextUp, 4, -4, 0]
        g.append(contentsOf: edges)
        return g
    }()

    func lanes(_ xs: [Float], _ f: (SIMD16<Float>) -> SIMD16<Float>) -> [Float] {
        var out: [Float] = []
        for start in stride(from: 0, to: xs.count, by: 16) {
            var v = SIMD16<Float>(repeating: 0)
            let n = min(16, xs.count - start)
            for j in 0..<n { v[j] = xs[start + j] }
            let y = f(v)
            for j in 0..<n { out.append(y[j]) }
        }
        return out
    }

    @Test func erfWithinOneAndAHalfE7OfLibm() {
        let fast = lanes(Self.grid, FastMath.erf)
        let worst = zip(Self.grid, fast).map { abs(Double($1) - erf(Double($0))) }.max() ?? .nan
        #expect(worst <= 1.5e-7, "max |erf error| = \(worst)")
    }

    /// 1 + erf keeps relative accuracy in the negative tail, where the libm form 1 + erff(x) cancels.
    @Test func onePlusErfIsRelativelyAccurateInTheTail() {
        let xs: [Float] = stride(from: -3.9, through: -0.95, by: 0.01).map { Float($0) }
        let fast = lanes(xs, FastMath.onePlusErf)
        let worst = zip(xs, fast).map { abs(Double($1) / erfc(-Double($0)) - 1) }.max() ?? .nan
        #expect(worst <= 5e-6, "max relative error of 1 + erf in the tail: \(worst)")
    }

    @Test func expWithinTwoUlpOfLibm() {
        let xs: [Float] = (0...100_000).map { (i: Int) -> Float in Float(-87 + Double(i) * 175e-5) }
        let fast = lanes(xs, FastMath.exp)
        let worst = zip(xs, fast).map { abs(Double($1) / exp(Double($0)) - 1) }.max() ?? .nan
        #expect(worst <= 2.5e-7, "max relative exp error = \(worst)")
        #expect(lanes([-100, -88, -.infinity], FastMath.exp) == [0, 0, 0])
    }

    /// The vectorised GELU (the Float model's) against the naive libm reference, with a ragged tail.
    @Test func geluMatchesNaiveReference() {
        let xs: [Float] = randn(1000 * 16 + 7, seed: 3, scale: 3)
        var fast = [[Float](repeating: .nan, count: xs.count), xs]
        var slow = fast
        withPointers(&fast) { p in GELU.forward(p[0], p[1], count: xs.count) }
        withPointers(&slow) { p in GELU.forwardNaive(p[0], p[1], count: xs.count) }
        #expect(maxAbs(fast[0], slow[0]) <= 5e-7)
        #expect(fast[0].allSatisfy { $0.isFinite })
    }
}
