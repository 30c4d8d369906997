import Testing
import ZOCore
import ZOModel
import ZOTestSupport

@Suite struct LinearTests {
    let n = 4, i = 5, o = 3

    func forward(_ x: [Double], _ w: [Double], _ b: [Double]) -> [Double] {
        var a = [[Double](repeating: 0, count: n * o), x, w, b]
        return withPointers(&a) { p in
            Linear.forward(p[0], p[1], weight: p[2], bias: p[3], rows: n, inputs: i, outputs: o)
        }
    }

    @Test func blasMatchesNaiveReference() {
        let x: [Float] = randn(n * i, seed: 1)
        let w: [Float] = randn(o * i, seed: 2)
        let b: [Float] = randn(o, seed: 3)
        var fast = [[Float](repeating: .nan, count: n * o), x, w, b]
        var slow = fast
        withPointers(&fast) { p in Linear.forward(p[0], p[1], weight: p[2], bias: p[3], rows: n, inputs: i, outputs: o)
        }
        withPointers(&slow) { p in
            Linear.forwardNaive(p[0], p[1], weight: p[2], bias: p[3], rows: n, inputs: i, outputs: o)
        }
        #expect(maxAbs(fast[0], slow[0]) < 1e-5)
        var noBias = [[Float](repeating: .nan, count: n * o), x, w]
        withPointers(&noBias) { p in Linear.forward(p[0], p[1], weight: p[2], bias: nil, rows: n, inputs: i, outputs: o)
        }
        #expect(maxAbs(zip(noBias[0], fast[0]).map { $1 - $0 }, (0..<(n * o)).map { b[$0 % o] }) < 1e-5)
    }

    /// Backward ADDS: gradients pre-filled with 1 come back as 1 + ∂L/∂·, checked against finite differences.
    @Test func backwardMatchesFiniteDifferences() {
        let x: [Double] = randn(n * i, seed: 1)
        let w: [Double] = randn(o * i, seed: 2)
        let b: [Double] = randn(o, seed: 3)
        let r: [Double] = randn(n * o, seed: 4)
        var g = [
            [Double](repeating: 1, count: n * i), [Double](repeating: 1, count: o * i),
            [Double](repeating: 1, count: o), r, x, w,
        ]
        withPointers(&g) { p in
            Linear.backward(
                dinp: p[0], dweight: p[1], dbias: p[2], dout: p[3], p[4], weight: p[5], rows: n, inputs: i, outputs: o)
        }
        let fx = finiteDifferences(x) { dot(forward($0, w, b), r) }
        let fw = finiteDifferences(w) { dot(forward(x, $0, b), r) }
        let fb = finiteDifferences(b) { dot(forward(x, w, $0), r) }
        #expect(relativeError(g[0].map { $0 - 1 }, fx) < 1e-6)
        #expect(relativeError(g[1].map { $0 - 1 }, fw) < 1e-6)
        #expect(relativeError(g[2].map { $0 - 1 }, fb) < 1e-6)
    }
}

extension BLASThreadTests {
    /// y = x Wᵀ + ε (x V) Uᵀ (fused into the gemm pieces' prologues) equals x (W + εUVᵀ)ᵀ with
    /// W + εUVᵀ formed densely, to 1e-5 in Float; with and without bias, small (one piece) and
    /// large enough to split over two threads.
    @Test(arguments: [6, 256])
    func fusedLowRankMatchesDenseDelta(rows n: Int) throws {
        let before = BLASThreads.current
        defer { try? BLASThreads.set(before) }
        try BLASThreads.set(2)
        let i = 64
        let o = 96
        let r = 3
        let eps = 1e-3
        let x: [Float] = randn(n * i, seed: 1)
        let w: [Float] = randn(o * i, seed: 2, scale: 0.1)
        let b: [Float] = randn(o, seed: 3)
        let factors = LowRankFactors(rows: o, cols: i, rank: r, u: randn(o * r, seed: 4), v: randn(i * r, seed: 5))
        let delta = LowRankDelta<Float>(factors, scale: eps)
        var wDense = w
        wDense.withUnsafeMutableBufferPointer { factors.addScaledProduct(eps, to: $0) }
        for withBias in [true, false] {
            let bias = withBias ? b : [Float](repeating: 0, count: o)
            var fused = [[Float](repeating: .nan, count: n * o), x, w, bias, [Float](repeating: 0, count: n * r)]
            withPointers(&fused) { p in
                Linear.forward(
                    p[0], p[1], weight: p[2], bias: withBias ? p[3] : nil, delta: delta, scratch: p[4], rows: n,
                    inputs: i, outputs: o)
            }
            var dense = [[Float](repeating: 0, count: n * o), x, wDense, bias]
            withPointers(&dense) { p in
                Linear.forward(p[0], p[1], weight: p[2], bias: p[3], rows: n, inputs: i, outputs: o)
            }
            #expect(maxAbs(fused[0], dense[0]) < 1e-5, "rows \(n), bias \(withBias)")
            // The delta is visible (the check is not vacuous): ε·|x V Uᵀ| is well above 1e-5 somewhere.
            var plain = [[Float](repeating: 0, count: n * o), x, w, bias]
            withPointers(&plain) { p in
                Linear.forward(p[0], p[1], weight: p[2], bias: p[3], rows: n, inputs: i, outputs: o)
            }
            #expect(maxAbs(plain[0], dense[0]) > 1e-3)
        }
        #expect(SplitGemm.pieces(m: 256, n: o, k: i, threads: 2).count == 2)
    }
}
