import Testing
import ZOCore
import ZOModel
import ZOTestSupport

@Suite struct PoolingTests {
    let b = 2, t = 4, c = 3
    let mask: [Int32] = [1, 1, 1, 1, 1, 1, 0, 0]

    func pool(_ x: [Double]) -> [Double] {
        var a = [[Double](repeating: 0, count: b * c), x]
        _ = mask.withUnsafeBufferPointer { m in
            withPointers(&a) { p in
                MeanPooling.forward(p[0], p[1], mask: m.baseAddress!, batch: b, length: t, channels: c)
            }
        }
        return a[0]
    }

    @Test func meanOverUnpaddedTokensOnly() {
        var x: [Double] = randn(b * t * c, seed: 1)
        let y = pool(x)
        #expect(abs(y[c + 1] - (x[(t + 0) * c + 1] + x[(t + 1) * c + 1]) / 2) < 1e-15)
        for pos in [t + 2, t + 3] { for i in 0..<c { x[pos * c + i] = 1e6 } }
        #expect(pool(x) == y)
    }

    @Test func backwardMatchesFiniteDifferences() {
        let x: [Double] = randn(b * t * c, seed: 1)
        let r: [Double] = randn(b * c, seed: 2)
        var g = [[Double](repeating: 1, count: b * t * c), r]
        _ = mask.withUnsafeBufferPointer { m in
            withPointers(&g) { p in
                MeanPooling.backward(dx: p[0], dpooled: p[1], mask: m.baseAddress!, batch: b, length: t, channels: c)
            }
        }
        #expect(relativeError(g[0].map { $0 - 1 }, finiteDifferences(x) { dot(pool($0), r) }) < 1e-6)
    }
}
