import Testing
import ZOCore
import ZOModel
import ZOTestSupport

@Suite struct LayerNormTests {
    let n = 3, c = 6

    func forward(_ x: [Double], _ w: [Double], _ b: [Double], eps: Double = 1e-12) -> [Double] {
        var a = [[Double](repeating: 0, count: n * c), x, w, b, [Double](repeating: 0, count: 2 * n)]
        return withPointers(&a) { p in
            LayerNorm.forward(
                p[0], mean: p[4], rstd: p[4] + n, p[1], weight: p[2], bias: p[3], rows: n, channels: c, eps: eps)
        }
    }

    @Test func normalisesEachRow() {
        // A large common offset: the two-pass Double variance must not cancel.
        let x: [Double] = randn(n * c, seed: 1).map { $0 + 1e4 }
        let y = forward(x, [Double](repeating: 1, count: c), [Double](repeating: 0, count: c))
        for row in 0..<n {
            let r = y[(row * c)..<((row + 1) * c)]
            let mean = r.reduce(0, +) / Double(c)
            let variance = r.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(c)
            #expect(abs(mean) < 1e-9 && abs(variance - 1) < 1e-9)
        }
    }

    @Test func backwardMatchesFiniteDifferences() {
        let x: [Double] = randn(n * c, seed: 1)
        let w: [Double] = randn(c, seed: 2)
        let b: [Double] = randn(c, seed: 3)
        let r: [Double] = randn(n * c, seed: 4)
        var stats = [[Double](repeating: 0, count: n * c), x, w, b, [Double](repeating: 0, count: 2 * n)]
        withPointers(&stats) { p in
            LayerNorm.forward(
                p[0], mean: p[4], rstd: p[4] + n, p[1], weight: p[2], bias: p[3], rows: n, channels: c, eps: 1e-12)
        }
        var g = [
            [Double](repeating: 1, count: n * c), [Double](repeating: 1, count: c), [Double](repeating: 1, count: c), r,
            x, w, stats[4],
        ]
        withPointers(&g) { p in
            LayerNorm.backward(
                dinp: p[0], dweight: p[1], dbias: p[2], dout: p[3], p[4], weight: p[5], mean: p[6], rstd: p[6] + n,
                rows: n, channels: c)
        }
        #expect(relativeError(g[0].map { $0 - 1 }, finiteDifferences(x) { dot(forward($0, w, b), r) }) < 1e-6)
        #expect(relativeError(g[1].map { $0 - 1 }, finiteDifferences(w) { dot(forward(x, $0, b), r) }) < 1e-6)
        #expect(relativeError(g[2].map { $0 - 1 }, finiteDifferences(b) { dot(forward(x, w, $0), r) }) < 1e-6)
    }
}
