import Testing
import ZOCore
import ZOModel
import ZOTestSupport

@Suite struct EmbeddingTests {
    let b = 2, t = 3, c = 4, v = 6, pMax = 5, s = 2
    let ids: [Int32] = [1, 5, 1, 0, 2, 3]
    let types: [Int32] = [0, 1, 1, 0, 0, 0]

    func forward(_ wte: [Double], _ wpe: [Double], _ wtt: [Double]) -> [Double] {
        var a = [[Double](repeating: 0, count: b * t * c), wte, wpe, wtt]
        _ = ids.withUnsafeBufferPointer { i in
            types.withUnsafeBufferPointer { ty in
                withPointers(&a) { p in
                    Embedding.forward(
                        p[0], ids: i.baseAddress!, types: ty.baseAddress!, wte: p[1], wpe: p[2], wtt: p[3], batch: b,
                        length: t, channels: c)
                }
            }
        }
        return a[0]
    }

    @Test func sumsTheThreeRows() {
        let wte: [Double] = randn(v * c, seed: 1)
        let wpe: [Double] = randn(pMax * c, seed: 2)
        let wtt: [Double] = randn(s * c, seed: 3)
        let out = forward(wte, wpe, wtt)
        // Sequence 1, position 2: id 3, type 0.
        for i in 0..<c { #expect(out[(1 * t + 2) * c + i] == wte[3 * c + i] + wpe[2 * c + i] + wtt[0 * c + i]) }
    }

    @Test func backwardMatchesFiniteDifferences() {
        let wte: [Double] = randn(v * c, seed: 1)
        let wpe: [Double] = randn(pMax * c, seed: 2)
        let wtt: [Double] = randn(s * c, seed: 3)
        let r: [Double] = randn(b * t * c, seed: 4)
        var g = [
            [Double](repeating: 1, count: v * c), [Double](repeating: 1, count: pMax * c),
            [Double](repeating: 1, count: s * c), r,
        ]
        _ = ids.withUnsafeBufferPointer { i in
            types.withUnsafeBufferPointer { ty in
                withPointers(&g) { p in
                    Embedding.backward(
                        dwte: p[0], dwpe: p[1], dwtt: p[2], dout: p[3], ids: i.baseAddress!, types: ty.baseAddress!,
                        batch: b, length: t, channels: c)
                }
            }
        }
        #expect(relativeError(g[0].map { $0 - 1 }, finiteDifferences(wte) { dot(forward($0, wpe, wtt), r) }) < 1e-6)
        #expect(relativeError(g[1].map { $0 - 1 }, finiteDifferences(wpe) { dot(forward(wte, $0, wtt), r) }) < 1e-6)
        #expect(relativeError(g[2].map { $0 - 1 }, finiteDifferences(wtt) { dot(forward(wte, wpe, $0), r) }) < 1e-6)
    }

    /// The fused lookup in W + εUVᵀ equals the lookup in the dense table.
    @Test func fusedLowRankLookupMatchesDenseTable() {
        let wte: [Double] = randn(v * c, seed: 1)
        let wpe: [Double] = randn(pMax * c, seed: 2)
        let wtt: [Double] = randn(s * c, seed: 3)
        let f = LowRankFactors(rows: v, cols: c, rank: 2, u: randn(v * 2, seed: 5), v: randn(c * 2, seed: 6))
        var dense = wte
        dense.withUnsafeMutableBufferPointer { f.addScaledProduct(0.01, to: $0) }
        let expected = forward(dense, wpe, wtt)
        var out = forward(wte, wpe, wtt)
        out.withUnsafeMutableBufferPointer { o in
            ids.withUnsafeBufferPointer { i in
                Embedding.addLowRank(
                    o.baseAddress!, rows: i.baseAddress!, delta: LowRankDelta<Double>(f, scale: 0.01), count: b * t,
                    channels: c)
            }
        }
        #expect(maxAbs(out, expected) < 1e-14)
    }
}
